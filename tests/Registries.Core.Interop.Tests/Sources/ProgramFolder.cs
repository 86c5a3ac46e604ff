using System.Diagnostics;

namespace Registries.Core.Interop.Tests.Sources;

/// <summary>A folder of the test's own (mode 0755, owned by the user running the tests) holding programs it writes.</summary>
internal sealed class ProgramFolder : IDisposable
{
    public ProgramFolder()
    {
        Path = Directory.CreateTempSubdirectory("registries-src-").FullName;
        File.SetUnixFileMode(Path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public string Path { get; }

    /// <summary>Writes an executable script (mode 0755).</summary>
    public string Write(string name, string script)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, script.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("755", 8));
        return file;
    }

    /// <summary>Writes a data file.</summary>
    public string WriteFile(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text);
        return file;
    }

    public string File_(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Tells whether a process whose id a script wrote into a file is still alive (bounded wait for it to die).</summary>
    public static async Task<bool> StillAliveAsync(string pidFile)
    {
        if (!File.Exists(pidFile))
        {
            return false;
        }

        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.HasExited)
                {
                    return false;
                }
            }
            catch (ArgumentException)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
