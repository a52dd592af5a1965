using System.Diagnostics;

namespace Bbs.Fuzz.Tests;

/// <summary>
/// The fuzz harness run in-process over the committed corpus, so every finding stays a regression test without AFL:
/// each input must keep the harness's properties (no escaping exception, only typed BBS errors, bounded allocation)
/// within a bounded time.
/// </summary>
public sealed class CorpusReplayTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "corpus");

    public static TheoryData<string> Seeds => Files("seed");

    public static TheoryData<string> Regressions => Files("regressions");

    public static TheoryData<string> Everything => [.. Seeds, .. Regressions];

    [Theory]
    [MemberData(nameof(Everything))]
    public void EveryCommittedInputKeepsTheHarnessProperties(string file)
    {
        var input = File.ReadAllBytes(Path.Combine(Corpus, file));
        FuzzTargets.Run(input); // JIT the target's path first: the bound is on the input, not on compilation

        var clock = Stopwatch.StartNew();
        FuzzTargets.Run(input);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{file} took {clock.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EverySeedIsAcceptedSoFuzzingStartsPastTheDecoder(string file)
    {
        var outcome = FuzzTargets.Run(File.ReadAllBytes(Path.Combine(Corpus, file)));

        Assert.True(outcome.Accepted, $"{file}: {outcome}");
    }

    [Fact]
    public void EveryTargetHasASeedThatSelectsIt()
    {
        var seeded = Directory.EnumerateFiles(Path.Combine(Corpus, "seed"))
            .Select(path => FuzzTargets.For(File.ReadAllBytes(path)[0]).Name)
            .ToHashSet();

        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(StringComparer.Ordinal), seeded.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheCommittedSeedsAreTheGeneratorsSeeds() =>
        Assert.Equal(
            Bbs.Fuzz.Seeds.All().Select(s => s.Name).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(Path.Combine(Corpus, "seed")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

    [Fact]
    public void TheCommittedDictionaryIsTheGeneratorsDictionary() =>
        Assert.Equal(Bbs.Fuzz.Seeds.DictionaryEntries(), File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "bbs.dict")));

    private static TheoryData<string> Files(string folder)
    {
        var directory = Path.Combine(Corpus, folder);
        var data = new TheoryData<string>();
        if (Directory.Exists(directory))
        {
            foreach (var path in Directory.EnumerateFiles(directory).Where(p => !Path.GetFileName(p).StartsWith('.')).Order(StringComparer.Ordinal))
            {
                data.Add(Path.Combine(folder, Path.GetFileName(path)));
            }
        }

        return data;
    }
}
