using Bbs.Models;

namespace Bbs.Client;

/// <summary>
/// A failed BBS call, carrying BBS's <see cref="Models.Error"/>. It is thrown for the error a response carries
/// in-band (field 1) and for the errors Diego's Go client makes up itself:
/// <list type="bullet">
/// <item>RouterError (14): the response had an <c>X-Cf-Routererror</c> header; the message is its value.</item>
/// <item>InvalidResponse (5): a non-protobuf response with status &gt; 299 ("Invalid Response with status code: N").</item>
/// <item>InvalidProtobufMessage (6): the body did not decode, on every attempt.</item>
/// <item>Timeout (31): an attempt exceeded the request timeout, on every attempt.</item>
/// <item>UnknownError (0): a transport failure (connection refused, reset, TLS), on every attempt.</item>
/// </list>
/// The transport exception, if any, is the <see cref="Exception.InnerException"/>.
/// Cancellation through the caller's token is not wrapped: it surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class BbsException : Exception
{
    public BbsException(Error error)
        : this(error, null)
    {
    }

    public BbsException(Error error, Exception? innerException)
        : base(Describe(error), innerException)
    {
        Error = error;
    }

    public BbsException()
        : this(new Error { Type = Error.Types.Type.UnknownError })
    {
    }

    public BbsException(string message)
        : this(new Error { Type = Error.Types.Type.UnknownError, Message = message })
    {
    }

    public BbsException(string message, Exception innerException)
        : this(new Error { Type = Error.Types.Type.UnknownError, Message = message }, innerException)
    {
    }

    /// <summary>BBS's error, as decoded from the response or made up by the client.</summary>
    public Error Error { get; }

    /// <summary>The error's type, e.g. <c>ResourceNotFound</c>.</summary>
    public Error.Types.Type Type => Error.Type;

    /// <summary>
    /// Set by the evacuation calls only: whether the cell should keep the container despite the failure.
    /// It is the response's <c>keep_container</c> when the failure came in-band (BBS answers a malformed
    /// evacuate_claimed/evacuate_running request with both the error and true), and, as in the Go client,
    /// true for claimed/running and false for stopped/crashed when there was no decodable response.
    /// </summary>
    public bool? KeepContainer { get; internal set; }

    /// <summary>Creates the exception for a made-up error.</summary>
    internal static BbsException Of(Error.Types.Type type, string message, Exception? innerException = null) =>
        new(new Error { Type = type, Message = message }, innerException);

    // Go's Error.Error() is the bare message; UnknownError may come with neither type nor message on the wire.
    private static string Describe(Error error) =>
        string.IsNullOrEmpty(error.Message) ? error.Type.ToString() : error.Message;
}
