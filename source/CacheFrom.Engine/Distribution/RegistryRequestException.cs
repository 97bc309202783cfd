using System.Net;

namespace CacheFrom.Distribution;

/// <summary>
/// A registry request that failed, with what the registry said: the HTTP status and the spec's
/// error code (null when the registry could not be reached, or sent none). Whether another
/// attempt may help is decided here, from those, and read by the retry executor.
/// </summary>
internal sealed class RegistryRequestException : RegistryException
{
    public RegistryRequestException(string registry, string message, HttpStatusCode? status, string? errorCode, bool isTransient, Exception? innerException = null)
        : base(registry, message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
        IsTransient = isTransient;
    }

    public HttpStatusCode? Status { get; }

    /// <summary>The first <c>errors[].code</c> (<see cref="RegistryErrorCode"/>), or null.</summary>
    public string? ErrorCode { get; }

    public bool IsTransient { get; }

    /// <summary>405 (or <c>UNSUPPORTED</c>) on a delete: the registry has deletes turned off.</summary>
    public bool DeletesDisabled { get; init; }
}
