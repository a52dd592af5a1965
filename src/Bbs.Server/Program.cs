using Bbs.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddBbsServer();

var app = builder.Build();
app.UseBbsServer();
app.Run();

/// <summary>The entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
