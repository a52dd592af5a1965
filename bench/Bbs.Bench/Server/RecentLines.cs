using System.Text.Json;

namespace Bbs.Bench.Server;

/// <summary>
/// The last N lines of a process's output, thread-safe. The server's JSON log lines are kept as
/// "Level: message — first line of the exception", which is what a failure report needs.
/// </summary>
internal sealed class RecentLines(int capacity)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    /// <summary>
    /// The first thing logged at Error or Fatal, if any (its exception's first line when it has one): usually the
    /// cause of what followed.
    /// </summary>
    public string? FirstError { get; private set; }

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        var (text, error) = Compact(line);
        lock (_gate)
        {
            FirstError ??= error;
            _lines.Enqueue(text);
            if (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public string Tail(int lines, int maxLineLength)
    {
        lock (_gate)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - lines)).Select(l => l.Length <= maxLineLength ? l : l[..maxLineLength] + " …"));
        }
    }

    /// <summary>The line as kept, and what to report as the error when it is one (else null).</summary>
    private static (string Text, string? Error) Compact(string line)
    {
        if (!line.StartsWith('{'))
        {
            return (line, null);
        }

        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (ClefLine.Message(root) is not { } message)
            {
                return (line, null);
            }

            string level = ClefLine.Level(root);
            string? exception = ClefLine.Exception(root)?.Split('\n')[0].Trim();
            string text = exception is null ? $"{level}: {message}" : $"{level}: {message} — {exception}";
            return (text, level is "Error" or "Fatal" ? exception ?? message : null);
        }
        catch (JsonException)
        {
            return (line, null);
        }
    }
}
