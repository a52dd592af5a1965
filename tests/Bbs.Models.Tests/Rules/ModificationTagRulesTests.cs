using Bbs.Models.Rules;

namespace Bbs.Models.Tests.Rules;

public sealed class ModificationTagRulesTests
{
    // current epoch/index, other epoch/index ("-" for a missing tag), succeeded
    [Theory]
    [InlineData("-", 0, "e", 1, true)]
    [InlineData("", 5, "e", 1, true)]
    [InlineData("e", 5, "-", 0, true)]
    [InlineData("e", 5, "", 1, true)]
    [InlineData("e", 5, "f", 1, true)]
    [InlineData("e", 5, "e", 6, true)]
    [InlineData("e", 5, "e", 5, false)]
    [InlineData("e", 5, "e", 4, false)]
    public void ALaterTagHasAnotherEpochOrAHigherIndex(string epoch, int index, string otherEpoch, int otherIndex, bool succeeded)
    {
        var current = epoch == "-" ? null : new ModificationTag { Epoch = epoch, Index = (uint)index };
        var other = otherEpoch == "-" ? null : new ModificationTag { Epoch = otherEpoch, Index = (uint)otherIndex };

        Assert.Equal(succeeded, ModificationTagRules.SucceededBy(current, other));
    }

    [Fact]
    public void IncrementingCopiesTheTag()
    {
        var tag = new ModificationTag { Epoch = "e", Index = 7 };

        Assert.Equal(new ModificationTag { Epoch = "e", Index = 8 }, ModificationTagRules.Incremented(tag));
        Assert.Equal(7u, tag.Index);
        Assert.Equal(new ModificationTag { Epoch = "n", Index = 0 }, ModificationTagRules.New("n"));
    }
}
