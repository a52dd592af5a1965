using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Bbs.Testing.Logging;

/// <summary>One log event, as recorded by <see cref="TestLogger"/>.</summary>
public sealed record LogEntry(LogLevel Level, EventId EventId, string Message);

/// <summary>
/// An <see cref="ILogger"/> for tests: writes to the test's output (when given) and records every entry, so tests
/// can assert on what a component logged. Writing after the test ended is ignored, as background loops may log late.
/// </summary>
public sealed class TestLogger(ITestOutputHelper? output = null) : ILogger
{
    private readonly List<LogEntry> _entries = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        string message = formatter(state, exception);
        lock (_gate)
        {
            _entries.Add(new LogEntry(logLevel, eventId, message));
        }

        try
        {
            output?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {message}{(exception is null ? string.Empty : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }
}
