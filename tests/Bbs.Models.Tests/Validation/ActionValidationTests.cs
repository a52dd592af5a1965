namespace Bbs.Models.Tests.Validation;

public sealed class ActionValidationTests
{
    private static readonly ValidationCases<Action> Cases = new ValidationCases<Action>(() => Valid.Run())
        .Add("a run action with path and user is valid", _ => { }, null)
        .Add("a run action needs a path", a => a.RunAction.Path = "", "Invalid field: path")
        .Add("a run action needs a user", a => a.RunAction.User = "", "Invalid field: user")
        .Add("a run action needs path and user", a => a.RunAction = new RunAction(), "Invalid field: path, Invalid field: user")
        .Add("an action with no kind set is invalid", a => a.ClearAction(), "Invalid field: inner-action")
        .Add("a download action is valid with from, to and user", a => a.DownloadAction = Valid.Download().DownloadAction, null)
        .Add("a download action needs from, to and user", a => a.DownloadAction = new DownloadAction(), "Invalid field: from, Invalid field: to, Invalid field: user")
        .Add("a checksum value needs an algorithm", a => a.DownloadAction = Download(d => d.ChecksumValue = "abc"), "Invalid field: checksum algorithm")
        .Add("a checksum algorithm needs a value", a => a.DownloadAction = Download(d => d.ChecksumAlgorithm = "md5"), "Invalid field: checksum value")
        .Add("a checksum algorithm must be md5, sha1 or sha256", a => a.DownloadAction = Download(d => { d.ChecksumAlgorithm = "crc32"; d.ChecksumValue = "abc"; }), "Invalid field: invalid algorithm")
        .Add("checksum algorithm names ignore case", a => a.DownloadAction = Download(d => { d.ChecksumAlgorithm = "SHA256"; d.ChecksumValue = "abc"; }), null)
        .Add("an upload action is valid with from, to and user", a => a.UploadAction = new UploadAction { From = "/out", To = "http://x", User = "vcap" }, null)
        .Add("an upload action reports to before from", a => a.UploadAction = new UploadAction(), "Invalid field: to, Invalid field: from, Invalid field: user")
        .Add("a timeout in milliseconds is valid", a => a.TimeoutAction = new TimeoutAction { Action = Valid.Run(), TimeoutMs = 1000 }, null)
        .Add("an E16 timeout in nanoseconds is valid", a => a.TimeoutAction = new TimeoutAction { Action = Valid.Run(), Timeout = 1_000_000_000 }, null)
        .Add("a timeout action needs a positive timeout", a => a.TimeoutAction = new TimeoutAction { Action = Valid.Run(), TimeoutMs = -5 }, "Invalid field: timeout")
        .Add("a timeout action needs an action", a => a.TimeoutAction = new TimeoutAction { TimeoutMs = 10 }, "Invalid field: action")
        .Add("a timeout action reports its inner errors first", a => a.TimeoutAction = new TimeoutAction { Action = Valid.Run(""), Timeout = 0 }, "Invalid field: path, Invalid field: timeout")
        .Add("a wrapped action with no kind set is invalid", a => a.TryAction = new TryAction { Action = new Action() }, "Invalid field: inner-action")
        .Add("an emit progress action needs an action", a => a.EmitProgressAction = new EmitProgressAction { StartMessage = "go" }, "Invalid field: action")
        .Add("an emit progress action passes on inner errors", a => a.EmitProgressAction = new EmitProgressAction { Action = Valid.Run("") }, "Invalid field: path")
        .Add("a try action needs an action", a => a.TryAction = new TryAction(), "Invalid field: action")
        .Add("a try action around a valid action is valid", a => a.TryAction = new TryAction { Action = Valid.Run() }, null)
        .Add("a parallel action needs actions", a => a.ParallelAction = new ParallelAction(), "Invalid field: actions")
        .Add("a serial action needs actions", a => a.SerialAction = new SerialAction(), "Invalid field: actions")
        .Add("a codependent action needs actions", a => a.CodependentAction = new CodependentAction(), "Invalid field: actions")
        .Add("a serial action names an empty entry by index", a => a.SerialAction = new SerialAction { Actions = { Valid.Run(), new Action() } }, "Invalid field: action at index 1")
        .Add("nested errors are flattened in order", a => a.SerialAction = new SerialAction { Actions = { Valid.Run(""), new Action { DownloadAction = Download(d => d.User = "") } } }, "Invalid field: path, Invalid field: user")
        .Add("deeply nested actions are checked", a => a.CodependentAction = new CodependentAction { Actions = { new Action { ParallelAction = new ParallelAction { Actions = { new Action { TimeoutAction = new TimeoutAction { TimeoutMs = 1 } } } } } } }, "Invalid field: action");

    public static TheoryData<string> Names => Cases.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void ActionValidationFollowsBbsActionRules(string name) => Cases.Check(name);

    [Fact]
    public void EachActionKindValidatesOnItsOwn()
    {
        Assert.Equal("Invalid field: path, Invalid field: user", new RunAction().Validate());
        Assert.Equal("Invalid field: actions", new ParallelAction().Validate());
        Assert.Null(new TryAction { Action = Valid.Run() }.Validate());
    }

    private static DownloadAction Download(System.Action<DownloadAction> change)
    {
        var download = Valid.Download().DownloadAction;
        change(download);
        return download;
    }
}
