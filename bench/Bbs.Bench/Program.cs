using System.Globalization;
using System.Runtime.InteropServices;
using Bbs.Bench;
using Bbs.Bench.Report;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length > 0 && args[0] == "soak")
{
    using var soakCancel = new CancellationTokenSource();
    using var soakInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; soakCancel.Cancel(); });
    using var soakTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; soakCancel.Cancel(); });
    try
    {
        return await Bbs.Bench.Soak.SoakRun.MainAsync(args[1..], soakCancel.Token);
    }
    catch (OperationCanceledException)
    {
        return 130;
    }
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

// Ctrl+C (SIGINT), SIGTERM and SIGHUP cancel the run; disposal then stops the server and etcd, and the table of what
// was measured is printed. A second signal is not intercepted and ends the process at once.
using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    if (cancel.IsCancellationRequested)
    {
        return;
    }

    context.Cancel = true;
    Progress.Say($"{context.Signal}: cancelling, stopping the server and etcd");
    cancel.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

return await new BenchRun(options).RunAsync(cancel.Token);
