using System.Net;
using System.Net.Http.Headers;
using Bbs.Bench.Measure;

namespace Bbs.Bench.Events;

/// <summary>
/// One HTTP/1.1 subscription to an event stream, read with a minimal SSE parser that looks at the <c>id:</c> and
/// <c>event:</c> lines only (and at <c>data:</c> when the <see cref="DeliveryLedger"/> does not know the event
/// yet). Every event that belongs to a timed write adds one delivery: the write's id and the moment the bytes
/// holding the event came out of the socket.
/// <para>
/// Lifetime: <see cref="ConnectAsync"/> returns once the server answered 200 (the subscription is registered) and
/// reading has started; reading stops when the token given there is cancelled. If the stream ends or fails before
/// that, <see cref="EndedEarly"/> says why: the server dropped this subscriber (or failed).
/// </para>
/// </summary>
internal sealed class SseSubscriber
{
    private static ReadOnlySpan<byte> IdField => "id:"u8;

    private static ReadOnlySpan<byte> EventField => "event:"u8;

    private static ReadOnlySpan<byte> DataField => "data:"u8;

    private static ReadOnlySpan<byte> ActualLrpChanged => "actual_lrp_changed"u8;

    private readonly DeliveryLedger _ledger;
    private readonly List<int> _writes;
    private readonly List<float> _arrivedMs;
    private byte[] _buffer = new byte[16 * 1024];
    private int _filled;
    private long _revision = -1;
    private bool _isActualLrpChanged;
    private long _events;
    private long _timed;

    private SseSubscriber(DeliveryLedger ledger, int expectedEvents)
    {
        _ledger = ledger;
        _writes = new List<int>(expectedEvents);
        _arrivedMs = new List<float>(expectedEvents);
    }

    /// <summary>Events of any kind received so far.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Events of timed writes received so far.</summary>
    public long Timed => Interlocked.Read(ref _timed);

    /// <summary>Why the stream ended before the bench closed it; null while it runs or when the bench closed it.</summary>
    public string? EndedEarly { get; private set; }

    /// <summary>Completes when reading has stopped, for whatever reason; never faults.</summary>
    public Task Reading { get; private set; } = Task.CompletedTask;

    /// <summary>The ids of the timed writes whose events arrived, in arrival order; read only after <see cref="Reading"/> completed.</summary>
    public IReadOnlyList<int> Writes => _writes;

    /// <summary>When each of <see cref="Writes"/> arrived, as a <see cref="DeliveryLedger.Offset"/>.</summary>
    public IReadOnlyList<float> ArrivedMs => _arrivedMs;

    /// <summary>
    /// Opens <c>GET <paramref name="uri"/></c> and starts reading; throws when the server does not answer 200 within
    /// <paramref name="connectTimeout"/>.
    /// </summary>
    public static async Task<SseSubscriber> ConnectAsync(
        HttpClient http, Uri uri, DeliveryLedger ledger, int expectedEvents, TimeSpan connectTimeout, CancellationToken stopReading, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new HttpRequestException($"GET {uri.AbsolutePath} answered {(int)response.StatusCode}", null, response.StatusCode);
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var subscriber = new SseSubscriber(ledger, expectedEvents);
            subscriber.Reading = subscriber.ReadAsync(response, body, stopReading);
            return subscriber;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task ReadAsync(HttpResponseMessage response, Stream body, CancellationToken stopReading)
    {
        using (response)
        {
            try
            {
                while (true)
                {
                    int read = await body.ReadAsync(_buffer.AsMemory(_filled), stopReading).ConfigureAwait(false);
                    if (read == 0)
                    {
                        EndedEarly = "the server ended the stream";
                        return;
                    }

                    _filled += read;
                    Parse(Clock.Now);
                }
            }
            catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
            {
                // The bench closed the stream.
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException)
            {
                EndedEarly = stopReading.IsCancellationRequested ? null : $"{ex.GetType().Name}: {ex.Message}";
            }
        }
    }

    /// <summary>Handles every complete line in the buffer (all stamped <paramref name="arrived"/>) and keeps the rest.</summary>
    private void Parse(long arrived)
    {
        int start = 0;
        while (_buffer.AsSpan(start, _filled - start).IndexOf((byte)'\n') is var length and >= 0)
        {
            var line = _buffer.AsSpan(start, length);
            Line(line.EndsWith("\r"u8) ? line[..^1] : line, arrived);
            start += length + 1;
        }

        _filled -= start;
        _buffer.AsSpan(start, _filled).CopyTo(_buffer);
        if (_filled == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
    }

    private void Line(ReadOnlySpan<byte> line, long arrived)
    {
        if (line.IsEmpty)
        {
            Dispatch(arrived);
        }
        else if (line.StartsWith(IdField))
        {
            var id = Value(line, IdField.Length);
            int dot = id.IndexOf((byte)'.');
            _revision = System.Buffers.Text.Utf8Parser.TryParse(dot < 0 ? id : id[..dot], out long revision, out _) ? revision : -1;
        }
        else if (line.StartsWith(EventField))
        {
            _isActualLrpChanged = Value(line, EventField.Length).SequenceEqual(ActualLrpChanged);
        }
        else if (line.StartsWith(DataField) && _revision >= 0 && !_ledger.Knows(_revision))
        {
            _ledger.Learn(_revision, _isActualLrpChanged, Value(line, DataField.Length));
        }
    }

    private void Dispatch(long arrived)
    {
        if (_revision < 0)
        {
            return;
        }

        int write = _ledger.WriteOf(_revision);
        if (write != DeliveryLedger.Untimed)
        {
            _writes.Add(write);
            _arrivedMs.Add(_ledger.Offset(arrived));
            Interlocked.Increment(ref _timed);
        }

        Interlocked.Increment(ref _events);
        _revision = -1;
        _isActualLrpChanged = false;
    }

    /// <summary>An SSE field's value: after the name, without the one optional space.</summary>
    private static ReadOnlySpan<byte> Value(ReadOnlySpan<byte> line, int nameLength)
    {
        var value = line[nameLength..];
        return !value.IsEmpty && value[0] == (byte)' ' ? value[1..] : value;
    }
}
