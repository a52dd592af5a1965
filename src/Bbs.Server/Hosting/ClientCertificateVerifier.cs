using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bbs.Server.Hosting;

/// <summary>
/// Decides, during the TLS handshake, whether a client certificate may call the API. It must chain to a CA of
/// <c>ca_file</c> (and only those), be valid now, be meant for client use (when it has an Extended Key Usage
/// extension it must list clientAuth, as Go's <c>crypto/tls</c> requires of Diego's clients), and, with
/// <c>ca_crl_file</c>, not be revoked. A refusal fails the handshake and is logged with its reason.
/// </summary>
internal sealed partial class ClientCertificateVerifier
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly X509Certificate2Collection _roots;
    private readonly string? _crlFile;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private RevocationLists? _crl;
    private DateTime _crlWrittenAt;

    /// <exception cref="InvalidDataException">The CRL file is malformed or not signed by a CA of <paramref name="roots"/>.</exception>
    public ClientCertificateVerifier(X509Certificate2Collection roots, string? crlFile, ILogger logger)
    {
        _roots = roots;
        _crlFile = crlFile;
        _logger = logger;
        if (crlFile is not null)
        {
            _crlWrittenAt = File.GetLastWriteTimeUtc(crlFile);
            _crl = RevocationLists.Load(crlFile, roots);
            LogCrlLoaded(_logger, crlFile, _crl.Count, _crl.EarliestNextUpdate);
        }
    }

    /// <summary>Whether <paramref name="certificate"/> is accepted; <paramref name="presented"/> supplies intermediates the client sent.</summary>
    public bool Verify(X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_roots);
        if (presented is not null)
        {
            policy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        // Revocation comes from ca_crl_file below, never from the network.
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.ApplicationPolicy.Add(ClientAuth);

        // Validity is checked against the wall clock (the default), never a test's or the rules' TimeProvider.
        policy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate))
        {
            var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            LogRefused(_logger, certificate.Subject, certificate.SerialNumber, reasons.Length > 0 ? reasons : "untrusted chain");
            return false;
        }

        if (CurrentCrl()?.FindRevoked(chain) is { } revoked)
        {
            LogRefused(_logger, certificate.Subject, certificate.SerialNumber, $"'{revoked.Subject}' (serial {revoked.SerialNumber}) is revoked by ca_crl_file");
            return false;
        }

        return true;
    }

    /// <summary>The lists of the file as it is now: a changed file is read again; one that no longer reads keeps the last good lists.</summary>
    private RevocationLists? CurrentCrl()
    {
        if (_crlFile is null)
        {
            return null;
        }

        lock (_gate)
        {
            // A missing file reads as a different time, so its return is noticed; until then the last lists hold.
            var written = File.GetLastWriteTimeUtc(_crlFile);
            if (written == _crlWrittenAt)
            {
                return _crl;
            }

            _crlWrittenAt = written;
            try
            {
                _crl = RevocationLists.Load(_crlFile, _roots);
                LogCrlLoaded(_logger, _crlFile, _crl.Count, _crl.EarliestNextUpdate);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                LogCrlReloadFailed(_logger, ex, _crlFile);
            }

            return _crl;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS client certificate {Subject} (serial {Serial}) refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string subject, string serial, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "ca_crl_file {File} loaded: {Count} revoked certificate(s), next update due {NextUpdate}")]
    private static partial void LogCrlLoaded(ILogger logger, string file, int count, DateTimeOffset? nextUpdate);

    [LoggerMessage(Level = LogLevel.Error, Message = "ca_crl_file {File} changed but could not be read; the previous revocation list stays in force")]
    private static partial void LogCrlReloadFailed(ILogger logger, Exception exception, string file);
}
