using Bbs.Models;

namespace Bbs.Db;

/// <summary>
/// A BBS error raised by the storage layer or a controller. The server answers it in-band (HTTP 200,
/// the error in the response's field 1); it never becomes a 500.
/// </summary>
public sealed class BbsErrorException : Exception
{
    public BbsErrorException(Error error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    public BbsErrorException()
        : this(BbsErrors.Unknown)
    {
    }

    public BbsErrorException(string message)
        : this(BbsErrors.New(Error.Types.Type.UnknownError, message))
    {
    }

    public BbsErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = BbsErrors.New(Error.Types.Type.UnknownError, message);
    }

    public Error Error { get; }

    public Error.Types.Type Type => Error.Type;
}
