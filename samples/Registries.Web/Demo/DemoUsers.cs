using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Registries.Web.Demo;

/// <summary>Checks a demo sign-in.</summary>
/// <param name="options">The demo users.</param>
public sealed class DemoUsers(IOptions<DemoOptions> options)
{
    // Compared with an unknown name too, so that the time taken does not tell which names exist.
    private static readonly byte[] Nobody = SHA256.HashData("no such user"u8);

    /// <summary>Gets the users, by name.</summary>
    public IReadOnlyDictionary<string, DemoUser> All => options.Value.Users;

    /// <summary>Returns whether <paramref name="password"/> is the password of <paramref name="name"/>.</summary>
    /// <param name="name">The user name given.</param>
    /// <param name="password">The password given.</param>
    /// <returns><see langword="true"/> when both match a configured user.</returns>
    public bool Check(string? name, string? password)
    {
        var found = name is not null && options.Value.Users.TryGetValue(name, out var user) && user.Password.Length > 0 ? user : null;

        // Hashes have one length, so the fixed-time comparison does not leak the password's length either.
        var expected = found is null ? Nobody : SHA256.HashData(Encoding.UTF8.GetBytes(found.Password));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(password ?? string.Empty));
        return CryptographicOperations.FixedTimeEquals(expected, given) && found is not null;
    }
}
