using System.Globalization;

namespace CacheFrom.Reporting;

/// <summary>How the reports write durations and sizes: invariant culture, so logs read the same on every runner.</summary>
internal static class ReportFormat
{
    public static string Seconds(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string SignedSeconds(TimeSpan duration) =>
        (duration >= TimeSpan.Zero ? "+" : "−") + Seconds(duration.Duration());

    /// <summary>Seconds as a JSON number, rounded to milliseconds.</summary>
    public static double JsonSeconds(TimeSpan duration) => Math.Round(duration.TotalSeconds, 3);

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
