using Bbs.Server.Hosting;
using Bbs.Server.Hosting.Configuration;

if (CommandLine.TryAnswer(args, Console.Out) is { } answered)
{
    return answered;
}

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddBbsServer();

    var app = builder.Build();
    app.UseBbsServer();
    app.Run();
    return 0;
}
catch (InvalidConfigurationException e)
{
    // One line a person can act on, not a stack trace (decision 51).
    Console.Error.WriteLine(e.Message);
    return InvalidConfigurationException.ExitCode;
}

/// <summary>The entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
