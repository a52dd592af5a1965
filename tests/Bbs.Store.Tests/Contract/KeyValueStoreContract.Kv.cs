namespace Bbs.Store.Tests.Contract;

public abstract partial class KeyValueStoreContract
{
    [Fact]
    public async Task GettingAnAbsentKeyReturnsNoValueAtTheCurrentRevision()
    {
        var written = await PutAsync(Key("other"), "x");

        var result = await Store.GetAsync(Key("absent"), Ct);

        Assert.Null(result.Kv);
        Assert.True(result.Revision >= written);
    }

    [Fact]
    public async Task PuttingANewKeyStoresItWithVersionOneAndTheWriteAsCreateAndModRevision()
    {
        var revision = await PutAsync(Key("k"), "v1");

        var result = await Store.GetAsync(Key("k"), Ct);

        var kv = Assert.IsType<KeyValue>(result.Kv);
        Assert.Equal(Key("k"), kv.Key);
        Assert.Equal("v1", Text(kv));
        Assert.Equal(revision, kv.CreateRevision);
        Assert.Equal(revision, kv.ModRevision);
        Assert.Equal(1, kv.Version);
        Assert.Equal(0, kv.Lease);
        Assert.True(result.Revision >= revision);
        Assert.True(await Store.GetRevisionAsync(Ct) >= revision);
    }

    [Fact]
    public async Task UpdatingAKeyKeepsItsCreateRevisionAndAdvancesVersionAndModRevision()
    {
        var created = await PutAsync(Key("k"), "v1");
        var updated = await PutAsync(Key("k"), "v2");
        var again = await PutAsync(Key("k"), "v2");

        var kv = await GetAsync(Key("k"));

        Assert.True(created < updated && updated < again);
        Assert.NotNull(kv);
        Assert.Equal("v2", Text(kv));
        Assert.Equal(created, kv.CreateRevision);
        Assert.Equal(again, kv.ModRevision);
        Assert.Equal(3, kv.Version);
    }

    [Fact]
    public async Task DeletingAKeyRemovesItAndRecreatingItStartsAgainAtVersionOne()
    {
        await PutAsync(Key("k"), "v1");
        await PutAsync(Key("k"), "v2");
        var deleted = await DeleteAsync(Key("k"));
        Assert.Null(await GetAsync(Key("k")));

        var recreated = await PutAsync(Key("k"), "v3");

        var kv = await GetAsync(Key("k"));
        Assert.NotNull(kv);
        Assert.True(recreated > deleted);
        Assert.Equal(recreated, kv.CreateRevision);
        Assert.Equal(1, kv.Version);
    }

    [Fact]
    public async Task DeletingAnAbsentKeyDeletesNothing()
    {
        var result = await Store.TxnAsync(TxnRequest.If().Then(new DeleteOp(Key("absent")), new DeletePrefixOp(Key("none/"))), Ct);

        Assert.True(result.Succeeded);
        Assert.Equal([0L, 0L], result.Results.Select(r => r.Deleted));
    }

    [Fact]
    public async Task StoredValuesDoNotChangeWhenTheCallerReusesItsBuffer()
    {
        var buffer = "before"u8.ToArray();
        await Store.TxnAsync(TxnRequest.If().Then(new PutOp(Key("k"), buffer)), Ct);

        "after!"u8.CopyTo(buffer);

        Assert.Equal("before", Text((await GetAsync(Key("k")))!));
    }

    [Fact]
    public async Task RangeReturnsTheKeysUnderThePrefixInByteOrder()
    {
        // UTF-8 byte order: "B" < "a" < "b" < "é" (C3 A9) < U+FFFD (EF BF BD) < U+1F600 (F0 9F 98 80).
        // UTF-16 ordinal order would put U+1F600 (a surrogate pair, D83D...) before U+FFFD.
        string[] names = ["b", "\U0001F600", "a/nested", "\uFFFD", "B", "é", "a"];
        foreach (var name in names)
        {
            await PutAsync(Key(name), name);
        }

        var keys = (await RangeAsync(Prefix)).Select(kv => kv.Key);

        string[] expected = ["B", "a", "a/nested", "b", "é", "\uFFFD", "\U0001F600"];
        Assert.Equal(expected.Select(Key), keys);
    }

    [Fact]
    public async Task RangeOnAPrefixIncludesTheKeyEqualToItButNotSiblingsSharingItsCharacters()
    {
        await PutAsync(Key("a"), "sibling without slash");
        await PutAsync(Key("a/"), "the prefix itself");
        await PutAsync(Key("a/1"), "child");
        await PutAsync(Key("a/2/deep"), "grandchild");
        await PutAsync(Key("ab"), "sibling");
        await PutAsync(Key("a0"), "sibling after slash");
        await PutAsync(Key("a."), "sibling before slash");

        var keys = (await RangeAsync(Key("a/"))).Select(kv => kv.Key);

        Assert.Equal([Key("a/"), Key("a/1"), Key("a/2/deep")], keys);
    }

    [Fact]
    public async Task RangeOfAPrefixWithoutKeysIsEmptyAtTheCurrentRevision()
    {
        var written = await PutAsync(Key("elsewhere"), "x");

        var result = await Store.RangeAsync(Key("nothing/"), 0, Ct);

        Assert.Empty(result.Kvs);
        Assert.True(result.Revision >= written);
    }

    [Fact]
    public async Task RangeAtAPastRevisionReturnsTheStoreAsItWasThen()
    {
        var r1 = await PutAsync(Key("a"), "a1");
        var r2 = await PutAsync(Key("b"), "b1");
        var r3 = await PutAsync(Key("a"), "a2");
        var r4 = await DeleteAsync(Key("b"));
        var r5 = await PutAsync(Key("c"), "c1");
        await PutAsync(Key("b"), "b2");

        static IEnumerable<string> Describe(RangeResult r) => r.Kvs.Select(kv => $"{kv.Key[^1..]}={Text(kv)}@{kv.CreateRevision}/{kv.ModRevision}/v{kv.Version}");

        Assert.Equal([$"a=a1@{r1}/{r1}/v1"], Describe(await Store.RangeAsync(Prefix, r1, Ct)));
        Assert.Equal([$"a=a1@{r1}/{r1}/v1", $"b=b1@{r2}/{r2}/v1"], Describe(await Store.RangeAsync(Prefix, r2, Ct)));
        Assert.Equal([$"a=a2@{r1}/{r3}/v2", $"b=b1@{r2}/{r2}/v1"], Describe(await Store.RangeAsync(Prefix, r3, Ct)));
        Assert.Equal([$"a=a2@{r1}/{r3}/v2"], Describe(await Store.RangeAsync(Prefix, r4, Ct)));
        Assert.Equal([$"a=a2@{r1}/{r3}/v2", $"c=c1@{r5}/{r5}/v1"], Describe(await Store.RangeAsync(Prefix, r5, Ct)));
        Assert.Equal(r3, (await Store.RangeAsync(Prefix, r3, Ct)).Revision);
    }

    [Fact]
    public async Task RangeAtAFutureRevisionIsRefused()
    {
        var current = await Store.GetRevisionAsync(Ct);

        await Assert.ThrowsAsync<StoreFutureRevisionException>(() => Store.RangeAsync(Prefix, current + 1_000_000, Ct));
    }

    [Fact]
    public async Task DeletingAPrefixRemovesEveryKeyUnderItInOneRevision()
    {
        var before = await PutAsync(Key("d/1"), "1");
        await PutAsync(Key("d/2"), "2");
        await PutAsync(Key("d/3/x"), "3");
        await PutAsync(Key("d2"), "sibling");

        var result = await Store.TxnAsync(TxnRequest.If().Then(new DeletePrefixOp(Key("d/"))), Ct);

        Assert.Equal(3, result.Results[0].Deleted);
        Assert.Empty(await RangeAsync(Key("d/")));
        Assert.NotNull(await GetAsync(Key("d2")));
        Assert.Equal(3, (await RangeAsync(Key("d/"), result.Revision - 1)).Count);
        Assert.True(result.Revision > before);
    }

    [Fact]
    public async Task AnEmptyKeyIsRefused()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync("", Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TxnAsync(TxnRequest.If().Then(new PutOp("", Bytes("v"))), Ct));
    }
}
