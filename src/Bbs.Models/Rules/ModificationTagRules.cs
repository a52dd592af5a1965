namespace Bbs.Models.Rules;

/// <summary>How BBS orders versions of a record: a new epoch on creation, index + 1 on every write.</summary>
public static class ModificationTagRules
{
    /// <summary>
    /// True when <paramref name="other"/> is a later version than <paramref name="current"/>: either tag is
    /// missing or has no epoch, the epochs differ (the record was recreated), or the index grew.
    /// </summary>
    public static bool SucceededBy(ModificationTag? current, ModificationTag? other)
    {
        if (current is null || current.Epoch.Length == 0 || other is null || other.Epoch.Length == 0)
        {
            return true;
        }

        return current.Epoch != other.Epoch || current.Index < other.Index;
    }

    /// <summary>A copy with the index one higher; a missing tag counts as epoch "" index 0.</summary>
    public static ModificationTag Incremented(ModificationTag? tag) =>
        new() { Epoch = tag?.Epoch ?? string.Empty, Index = (tag?.Index ?? 0) + 1 };

    public static ModificationTag New(string epoch) => new() { Epoch = epoch, Index = 0 };
}
