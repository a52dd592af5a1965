using System.Text;
using Bbs.Models.Rules;

namespace Bbs.Models.Tests.Rules;

public sealed class ReasonTextTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(1024)]
    public void AReasonThatFitsIsKept(int length)
    {
        var reason = new string('a', length);

        Assert.Same(reason, ReasonText.Truncate(reason));
    }

    [Theory]
    [InlineData(1025)]
    [InlineData(100_000)]
    public void ALongerReasonIsCutToTheLimitAndMarked(int length)
    {
        var truncated = ReasonText.Truncate(new string('a', length));

        Assert.Equal(1024, Encoding.UTF8.GetByteCount(truncated));
        Assert.Equal(new string('a', 1013) + "(truncated)", truncated);
    }

    [Fact]
    public void TheCutNeverSplitsACharacter()
    {
        var reason = string.Concat(Enumerable.Repeat("é😀", 400)); // 2 + 4 bytes, the emoji a surrogate pair

        var truncated = ReasonText.Truncate(reason);

        Assert.True(Encoding.UTF8.GetByteCount(truncated) <= 1024);
        Assert.EndsWith("(truncated)", truncated, StringComparison.Ordinal);
        var kept = truncated[..^"(truncated)".Length];
        Assert.StartsWith(kept, reason, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(kept[^1]));
    }
}
