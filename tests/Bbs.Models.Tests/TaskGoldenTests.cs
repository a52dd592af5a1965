namespace Bbs.Models.Tests;

public sealed class TaskGoldenTests
{
    [Fact]
    public void TaskWithDefinitionAndRunAction() =>
        WireAssert.Encodes(
            new Task
            {
                TaskDefinition = new TaskDefinition
                {
                    RootFs = "a:b",
                    Action = new Action { RunAction = new RunAction { Path = "ls" } },
                    MemoryMb = 256,
                },
                TaskGuid = "t1",
                Domain = "d",
                CreatedAt = 5,
                State = Task.Types.State.Running,
            },
            "0a 10",              // field 1 task_definition LEN: 0x0a, 16 bytes:
            "   0a 03 613a62",    //   field 1 root_fs "a:b"
            "   1a 06",           //   field 3 action LEN: (3<<3)|2 = 0x1a, 6 bytes (Action):
            "      1a 04",        //     field 3 run_action LEN: 0x1a, 4 bytes (RunAction):
            "         0a 02 6c73", //      field 1 path "ls"
            "   28 8002",         //   field 5 memory_mb VARINT: (5<<3)|0 = 0x28; 256 = 2*128 -> 0x80, 0x02
            "12 02 7431",         // field 2 task_guid "t1"
            "1a 01 64",           // field 3 domain "d"
            "20 05",              // field 4 created_at VARINT: 0x20, 5
            "38 02");             // field 7 state VARINT: (7<<3)|0 = 0x38, Running = 2

    [Fact]
    public void TimeoutActionNestsItsActionAndKeepsNanoseconds() =>
        WireAssert.Encodes(
            new Action
            {
                TimeoutAction = new TimeoutAction
                {
                    Action = new Action { RunAction = new RunAction { Path = "ls" } },
                    Timeout = 1_000_000_000,
                },
            },
            "22 0e",             // field 4 timeout_action LEN: (4<<3)|2 = 0x22, 14 bytes:
            "   0a 06",          //   field 1 action LEN: 6 bytes:
            "      1a 04",       //     run_action LEN: 4 bytes:
            "         0a 02 6c73",
            "   10 8094ebdc03"); //   field 2 timeout VARINT: 1e9 ns = 0x3b9aca00 -> 80 94 eb dc 03
}
