using SharpFuzz;

namespace Bbs.Fuzz;

/// <summary>
/// <c>Bbs.Fuzz</c> under afl-fuzz: one input per run through <see cref="FuzzTargets.Run"/>. <c>Bbs.Fuzz seed DIR</c>
/// writes the seed corpus, <c>Bbs.Fuzz dict FILE</c> the dictionary; <c>Bbs.Fuzz replay FILE...</c> runs files once each and prints the target and outcome.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["seed", var directory])
        {
            Console.WriteLine($"{Seeds.Write(directory)} seeds written to {directory}");
            return 0;
        }

        if (args is ["dict", var file])
        {
            File.WriteAllLines(file, Seeds.DictionaryEntries());
            return 0;
        }

        if (args is ["replay", .. var files])
        {
            return Replay(files);
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            FuzzTargets.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    private static int Replay(IEnumerable<string> files)
    {
        var failed = 0;
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            var target = input.Length == 0 ? "(empty)" : FuzzTargets.For(input[0]).Name;
            try
            {
                var outcome = FuzzTargets.Run(input);
                Console.WriteLine($"{target,-48} {Path.GetFileName(file),-56} {outcome}");
            }
            catch (Exception ex)
            {
                failed++;
                Console.WriteLine($"{target,-48} {Path.GetFileName(file),-56} FAILED\n{ex}");
            }
        }

        return failed == 0 ? 0 : 1;
    }
}
