using Microsoft.AspNetCore.Authentication.Cookies;
using Registries.Core.DependencyInjection;
using Registries.Web;
using Registries.Web.Demo;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorPages(options =>
{
    // Every page needs a signed-in user except the sign-in page itself and the error page.
    options.Conventions.AuthorizeFolder("/");
    options.Conventions.AllowAnonymousToPage("/Login");
    options.Conventions.AllowAnonymousToPage("/Error");
});
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.LoginPath = "/Login";
        options.Cookie.Name = "registries-web";
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
    });
builder.Services.AddHttpContextAccessor();
builder.Services.AddDemo(builder.Configuration);

// The library: the caller is the signed-in user; the store is a file, or PostgreSQL when a connection string is given.
builder.Services.AddRegistries()
    .UseCaller<HttpContextCaller>()
    .UseConfiguredStore(builder.Configuration);

var app = builder.Build();

// Also in Development: a library error or a bug shows the sample's error page, never a stack trace.
app.UseExceptionHandler("/Error");
app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.MapRazorPages();

app.Run();
