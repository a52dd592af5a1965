using System.Net;
using System.Security.Cryptography.X509Certificates;
using Bbs.Client;
using Bbs.Server.Tests.Support;
using Google.Protobuf;

namespace Bbs.Server.Tests.Authorization;

/// <summary>
/// A server over mutual TLS with authorization enabled and the rules of a small Cloud Foundry deployment, set with
/// the same keys as the command line (<c>--Bbs:authorization:rules:0:identity=…</c>).
/// </summary>
public sealed class AuthorizedServer : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "bbs-authz-" + Guid.NewGuid().ToString("N"));

    public AuthorizationPki Pki { get; private set; } = null!;

    public BbsServerFactory Factory { get; private set; } = null!;

    /// <summary>The operator's client: role admin.</summary>
    public BbsClient Admin { get; private set; } = null!;

    /// <summary>The rules, in order; the first one a certificate name matches decides.</summary>
    public static IReadOnlyList<(string Identity, string Role)> Rules { get; } =
    [
        ("cell-0", "reader"),
        ("cell-*", "cell"),
        ("bbs-cell:*", "cell"),
        ("cloud-controller.service.cf.internal", "scheduler"),
        ("cfdot", "reader"),
        ("operator", "admin"),
    ];

    public Task InitializeAsync()
    {
        Pki = new AuthorizationPki(dir);
        var settings = new Dictionary<string, string?>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:cert_file"] = Pki.ServerCertFile,
            ["Bbs:key_file"] = Pki.ServerKeyFile,
            ["Bbs:ca_file"] = Pki.CaFile,
            ["Bbs:authorization:enabled"] = "true",
        };
        for (int i = 0; i < Rules.Count; i++)
        {
            settings[$"Bbs:authorization:rules:{i}:identity"] = Rules[i].Identity;
            settings[$"Bbs:authorization:rules:{i}:role"] = Rules[i].Role;
        }

        Factory = new BbsServerFactory(settings);
        Admin = Pki.BbsClient(Factory.BaseAddress, Pki.Client("operator"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Factory.DisposeAsync();
        Pki.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    public HttpClient Http(X509Certificate2 certificate) => Pki.HttpClient(Factory.BaseAddress, certificate);

    public BbsClient Client(X509Certificate2 certificate) => Pki.BbsClient(Factory.BaseAddress, certificate);
}

/// <summary>Raw calls, for the status code and the plain-text reason of a refusal.</summary>
internal static class RawCalls
{
    public static async Task<(HttpStatusCode Status, string Text)> PostAsync(this HttpClient http, string path, IMessage request)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), Protobuf.Body(request));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Posts and decodes a 200 answer of <typeparamref name="T"/>.</summary>
    public static async Task<T> CallAsync<T>(this HttpClient http, string path, IMessage request)
        where T : IMessage<T>, new()
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), Protobuf.Body(request));
        return await Protobuf.ReadAsync<T>(response);
    }
}
