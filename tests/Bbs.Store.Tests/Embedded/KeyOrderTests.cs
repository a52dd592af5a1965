using Bbs.Store.Embedded;

namespace Bbs.Store.Tests.Embedded;

public sealed class KeyOrderTests
{
    [Theory]
    [InlineData("a", "b")]
    [InlineData("a", "ab")]
    [InlineData("/a/", "/a0")]
    [InlineData("Z", "a")]
    [InlineData("\u00e9", "\uFFFD")]
    [InlineData("\uFFFD", "\U0001F600")]
    [InlineData("\uE000", "\U00010000")]
    [InlineData("\uD7FF", "\uE000")]
    public void KeysSortInUtf8ByteOrder(string smaller, string larger)
    {
        Assert.True(KeyOrder.Comparer.Compare(smaller, larger) < 0);
        Assert.True(KeyOrder.Comparer.Compare(larger, smaller) > 0);
        Assert.True(System.Text.Encoding.UTF8.GetBytes(smaller).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(larger)) < 0);
    }

    [Fact]
    public void ThePrefixEndIsTheFirstKeyAfterEveryKeyWithThePrefix()
    {
        // A table in code: xunit carries attribute arguments and theory rows as UTF-8, which cannot hold
        // the unpaired surrogates some of these cases need.
        (string Prefix, string End)[] cases =
        [
            ("/a/", "/a0"),
            ("a\uD7FF", "a\uE000"),
            ("a\uFFFF", "a\uD800"),
            ("a\uFFFF\uDFFF", "a\uD800"),
            ("a\uDFFF\uDFFF", "b"),
        ];

        foreach (var (prefix, end) in cases)
        {
            Assert.Equal(end, KeyOrder.PrefixEnd(prefix));
            Assert.True(KeyOrder.Comparer.Compare(prefix + "\uDFFF\uDFFF", end) < 0);
        }
    }

    [Fact]
    public void APrefixOfOnlyMaximalUnitsHasNoEnd()
    {
        Assert.Null(KeyOrder.PrefixEnd("\uDFFF\uDFFF"));
        Assert.Null(KeyOrder.PrefixEnd(""));
    }

    [Fact]
    public void WithPrefixSeeksToThePrefixAndStopsAfterIt()
    {
        var keys = new SortedSet<string>(KeyOrder.Comparer) { "/a", "/a/", "/a/1", "/a/\U0001F600", "/a0", "/b", "\uDFFF", "\uDFFF\uDFFF", "\uDFFF\uDFFFx" };

        Assert.Equal(["/a/", "/a/1", "/a/\U0001F600"], KeyOrder.WithPrefix(keys, "/a/"));
        Assert.Equal(["\uDFFF\uDFFF", "\uDFFF\uDFFFx"], KeyOrder.WithPrefix(keys, "\uDFFF\uDFFF"));
        Assert.Empty(KeyOrder.WithPrefix(keys, "/c"));
        Assert.Equal(keys, KeyOrder.WithPrefix(keys, ""));
    }
}
