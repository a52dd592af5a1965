using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Bbs.Server.Convergence;

namespace Bbs.Server.Tests.Convergence;

/// <summary>One measurement of a "Bbs.Server" instrument, with its tags.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

/// <summary>
/// Listens to the "Bbs.Server" meter of ONE server (its <see cref="IMeterFactory"/> is the meters' scope), so
/// servers of test classes running at the same time do not mix in. Counters and histograms are recorded as they
/// happen; observable gauges are read on <see cref="Observe"/>.
/// </summary>
public sealed class ConvergenceMeterRecorder : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> measurements = new();

    public ConvergenceMeterRecorder(IMeterFactory scope)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ConvergenceMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();
    }

    /// <summary>The counter and histogram measurements recorded so far.</summary>
    public IReadOnlyList<RecordedMeasurement> Recorded => [.. measurements];

    /// <summary>Reads every observable gauge now and returns those readings only.</summary>
    public IReadOnlyList<RecordedMeasurement> Observe()
    {
        var before = measurements.Count;
        listener.RecordObservableInstruments();
        return [.. measurements.Skip(before)];
    }

    public void Dispose() => listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue;
        }

        measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, copy));
    }
}
