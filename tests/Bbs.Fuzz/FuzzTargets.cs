using System.Buffers;
using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Server.Http;
using Google.Protobuf;

namespace Bbs.Fuzz;

/// <summary>
/// The fuzzed entry points, each a decoder the server runs on bytes it does not control: every request body
/// (protobuf and JSON) through the binder's decode-then-validate, and every stored record kind through the
/// record reader, without keys, with keys, and sealed under a key so the fuzzer reaches the payload behind a
/// valid AES-GCM tag. An input's first byte picks the target; the rest is the body or the stored value.
/// </summary>
public static class FuzzTargets
{
    /// <summary>An input may allocate this much plus <see cref="AllocationPerInputByte"/> per byte, no more.</summary>
    public const long AllocationAllowance = 32L << 20;

    public const long AllocationPerInputByte = 64;

    private static readonly RecordSerializer Plain = new(new RecordFormatOptions());

    // Two keys, so both the label lookup and a wrong label are reached; the sealer shares them.
    private static readonly RecordFormatOptions KeyedOptions = new()
    {
        EncryptionKeys = ["k1:correct horse", "k2:battery staple"],
        ActiveKeyLabel = "k1",
    };

    private static readonly RecordSerializer Keyed = new(KeyedOptions);

    /// <summary>Every target, in a fixed order: a seed's first byte is its index.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        .. Requests<ActualLRPGroupByProcessGuidAndIndexRequest>(),
        .. Requests<ActualLRPGroupsByProcessGuidRequest>(),
        .. Requests<ActualLRPGroupsRequest>(),
        .. Requests<ActualLRPsByProcessGuidsRequest>(),
        .. Requests<ActualLRPsRequest>(),
        .. Requests<ClaimActualLRPRequest>(),
        .. Requests<CompleteTaskRequest>(),
        .. Requests<ConvergeTasksRequest>(),
        .. Requests<CrashActualLRPRequest>(),
        .. Requests<DesireLRPRequest>(),
        .. Requests<DesireTaskRequest>(),
        .. Requests<DesiredLRPByProcessGuidRequest>(),
        .. Requests<DesiredLRPsRequest>(),
        .. Requests<EvacuateClaimedActualLRPRequest>(),
        .. Requests<EvacuateCrashedActualLRPRequest>(),
        .. Requests<EvacuateRunningActualLRPRequest>(),
        .. Requests<EvacuateStoppedActualLRPRequest>(),
        .. Requests<FailActualLRPRequest>(),
        .. Requests<FailTaskRequest>(),
        .. Requests<RejectTaskRequest>(),
        .. Requests<RemoveActualLRPRequest>(),
        .. Requests<RemoveDesiredLRPRequest>(),
        .. Requests<RemoveEvacuatingActualLRPRequest>(),
        .. Requests<RetireActualLRPRequest>(),
        .. Requests<StartActualLRPRequest>(),
        .. Requests<StartTaskRequest>(),
        .. Requests<TaskByGuidRequest>(),
        .. Requests<TaskGuidRequest>(),
        .. Requests<TasksRequest>(),
        .. Requests<UpdateDesiredLRPRequest>(),
        .. Requests<UpsertCellRequest>(),
        .. Requests<UpsertDomainRequest>(),
        .. EventFilters(),
        .. Records<ActualLRP>(),
        .. Records<DesiredLRPSchedulingInfo>(),
        .. Records<DesiredLRPRunInfo>(),
        .. Records<Bbs.Models.Task>(),
        .. Records<CellPresence>(),
    ];

    /// <summary>The target an input's first byte picks.</summary>
    public static FuzzTarget For(byte selector) => All[selector % All.Count];

    /// <summary>The first byte that picks the target named <paramref name="name"/>.</summary>
    public static byte SelectorOf(string name)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Name == name)
            {
                return (byte)i;
            }
        }

        throw new ArgumentException($"no fuzz target is named {name}", nameof(name));
    }

    /// <summary>
    /// Runs one input and returns what the server would do with it. Throws when a property does not hold, which AFL
    /// reports as a crash: an exception escaped the server's code, a request failed with a non-BBS error, or the
    /// input allocated more than its allowance. (Time is bounded by afl-fuzz's -t and the replay tests.)
    /// </summary>
    public static FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzOutcome.Empty;
        }

        var target = For(input[0]);
        var body = input[1..].ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = target.Run(body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var allowance = AllocationAllowance + (AllocationPerInputByte * body.Length);
        if (allocated > allowance)
        {
            throw new FuzzPropertyException($"{target.Name}: {allocated} bytes allocated for a {body.Length}-byte input (allowance {allowance})");
        }

        return outcome;
    }

    private static IEnumerable<FuzzTarget> Requests<T>()
        where T : class, IMessage<T>, new()
    {
        foreach (var json in new[] { false, true })
        {
            yield return new FuzzTarget($"{typeof(T).Name}.{(json ? "json" : "proto")}", json ? FuzzTargetKind.JsonRequest : FuzzTargetKind.ProtobufRequest, body =>
            {
                // What the binder answers: the handler runs with Message, or the filter answers Error in-band.
                var request = BbsRequest<T>.FromBody(new ReadOnlySequence<byte>(body), json);
                if (request.Error is { } error)
                {
                    ExpectInvalidRequest(error);
                    return FuzzOutcome.Reject(error.Message);
                }

                _ = request.Message.CalculateSize();
                return FuzzOutcome.Accept();
            });
        }
    }

    private static IEnumerable<FuzzTarget> EventFilters()
    {
        // The events route decodes its filter with the codec alone (no validation).
        foreach (var json in new[] { false, true })
        {
            yield return new FuzzTarget($"{nameof(EventsByCellId)}.{(json ? "json" : "proto")}", json ? FuzzTargetKind.JsonRequest : FuzzTargetKind.ProtobufRequest, body =>
            {
                var (message, error) = BbsCodec.Decode<EventsByCellId>(new ReadOnlySequence<byte>(body), json);
                if (error is not null)
                {
                    ExpectInvalidRequest(error);
                    return FuzzOutcome.Reject(error.Message);
                }

                return message is null
                    ? throw new FuzzPropertyException("the codec answered neither a message nor an error")
                    : FuzzOutcome.Accept();
            });
        }
    }

    private static IEnumerable<FuzzTarget> Records<T>()
        where T : class, IMessage<T>, new()
    {
        var name = typeof(T).Name;
        yield return new FuzzTarget($"{name}.record", FuzzTargetKind.Record, body => ReadRecord<T>(Plain, body));
        yield return new FuzzTarget($"{name}.record-keyed", FuzzTargetKind.Record, body => ReadRecord<T>(Keyed, body));
        yield return new FuzzTarget($"{name}.record-sealed", FuzzTargetKind.SealedRecord, body =>
        {
            // The body as any stored form, sealed under k1 as key rotation rewrites it, then read back: random bytes
            // never carry a valid tag, so this is how the payload behind decryption is reached.
            byte[] sealedValue;
            try
            {
                sealedValue = Keyed.Reencode(body);
            }
            catch (RecordFormatException ex)
            {
                return FuzzOutcome.Reject($"{ex.Failure} ({ex.Error.Type}): {ex.Message}");
            }

            return ReadRecord<T>(Keyed, sealedValue);
        });
    }

    /// <summary>The record reader's contract: a model, or a <see cref="RecordFormatException"/>, for any value.</summary>
    private static FuzzOutcome ReadRecord<T>(RecordSerializer serializer, byte[] value)
        where T : class, IMessage<T>, new()
    {
        var outcome = FuzzOutcome.Accept();
        try
        {
            _ = serializer.Deserialize<T>(value);
        }
        catch (RecordFormatException ex)
        {
            outcome = FuzzOutcome.Reject($"{ex.Failure} ({ex.Error.Type}): {ex.Message}");
        }

        try
        {
            _ = serializer.Reencode(value);
        }
        catch (RecordFormatException ex)
        {
            _ = ex.Error;
        }

        return outcome;
    }

    private static void ExpectInvalidRequest(Error error)
    {
        if (error.Type != Error.Types.Type.InvalidRequest || error.Message.Length == 0)
        {
            throw new FuzzPropertyException($"a bad body answered {error.Type} \"{error.Message}\", not InvalidRequest");
        }
    }
}

/// <summary>What the server would do with an input: use the decoded message or record, or answer a typed error.</summary>
public sealed record FuzzOutcome(bool Accepted, string Detail)
{
    public static readonly FuzzOutcome Empty = new(false, "empty input");

    public static FuzzOutcome Accept() => new(true, "accepted");

    public static FuzzOutcome Reject(string reason) => new(false, reason);

    public override string ToString() => Accepted ? "accepted" : "rejected: " + Detail;
}

public enum FuzzTargetKind
{
    ProtobufRequest,
    JsonRequest,
    Record,
    SealedRecord,
}

/// <summary>One fuzzed entry point: its name (message type and form) and the call that runs a body through it.</summary>
public sealed record FuzzTarget(string Name, FuzzTargetKind Kind, Func<byte[], FuzzOutcome> Run);

/// <summary>A property of the fuzzed code that an input broke; never thrown for expected bad input.</summary>
public sealed class FuzzPropertyException(string message) : Exception(message);
