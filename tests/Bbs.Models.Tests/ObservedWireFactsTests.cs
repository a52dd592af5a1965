using Google.Protobuf;

namespace Bbs.Models.Tests;

// bbs-protocol.md §12: bytes captured from a running BBS.
public sealed class ObservedWireFactsTests
{
    [Fact]
    public void ResourceNotFoundResponseMatchesTheCapturedBytes() =>
        WireAssert.Encodes(
            new DesiredLRPLifecycleResponse
            {
                Error = new Error
                {
                    Type = Error.Types.Type.ResourceNotFound,
                    Message = "the requested resource could not be found",
                },
            },
            "0a 2d", // field 1 error LEN: 0x0a, 45 = 2 + 2 + 41 bytes:
            "   08 0d", //   type VARINT: ResourceNotFound = 13
            "   12 29", //   message LEN: 41 bytes
            WireAssert.Ascii("the requested resource could not be found"));

    [Fact]
    public void ResourceExistsResponseMatchesTheCapturedBytes() =>
        WireAssert.Encodes(
            new TaskLifecycleResponse
            {
                Error = new Error
                {
                    Type = Error.Types.Type.ResourceExists,
                    Message = "the requested resource already exists",
                },
            },
            "0a 29 080c 1225", // 41 = 2 + 2 + 37; type 12; message length 37
            WireAssert.Ascii("the requested resource already exists"));

    [Fact]
    public void BadRequestResponseMatchesTheCapturedBytes() =>
        WireAssert.Encodes(
            new ActualLRPLifecycleResponse
            {
                Error = new Error
                {
                    Type = Error.Types.Type.InvalidRequest,
                    Message = "the request received is invalid",
                },
            },
            "0a 23 0804 121f", // 35 = 2 + 2 + 31; type 4; message length 31
            WireAssert.Ascii("the request received is invalid"));

    [Fact]
    public void PingResponseIsZeroEightZeroOne() =>
        Assert.Equal("0801", Convert.ToHexStringLower(new PingResponse { Available = true }.ToByteArray()));

    [Fact]
    public void FirstStartTaskIsOneZeroZeroOneAndTheRepeatIsEmpty()
    {
        Assert.Equal("1001", Convert.ToHexStringLower(new StartTaskResponse { ShouldStart = true }.ToByteArray()));
        Assert.Empty(new StartTaskResponse { ShouldStart = false }.ToByteArray());
    }

    [Fact]
    public void SuccessWithoutErrorIsAnEmptyBody()
    {
        Assert.Empty(new DesiredLRPLifecycleResponse().ToByteArray());
        Assert.Empty(new DesiredLRPsResponse().ToByteArray());
        Assert.Empty(new CellsResponse().ToByteArray());
    }

    [Fact]
    public void UnclaimedActualLrpStillCarriesItsEmptyEmbeddedMessages() =>
        WireAssert.Encodes(
            new ActualLRP
            {
                ActualLrpKey = new ActualLRPKey { ProcessGuid = "pg", Domain = "d" },
                ActualLrpInstanceKey = new ActualLRPInstanceKey(),
                ActualLrpNetInfo = new ActualLRPNetInfo(),
                State = "UNCLAIMED",
                Routable = false,
            },
            "0a 07 0a027067 1a0164", // key: index 0 omitted
            "12 00",                 // instance key: present, empty
            "1a 00",                 // net info: present, empty
            "32 09 554e434c41494d4544", // state "UNCLAIMED"
            "68 00");                // routable: always emitted, false when not RUNNING
}
