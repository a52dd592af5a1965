using Bbs.Testing.Etcd;

namespace Bbs.Store.Tests;

/// <summary>The tests that share one etcd; they run one at a time.</summary>
[CollectionDefinition(EtcdFixture.Collection)]
public sealed class EtcdCollection : ICollectionFixture<EtcdFixture>;
