namespace CacheFrom.Hosting;

/// <summary>How a host spells and splits a parameter's value.</summary>
public enum ParameterKind
{
    /// <summary>One value; the last one given wins.</summary>
    Text,

    /// <summary>Several values: repeated flags, or one value split on whitespace.</summary>
    List,

    /// <summary><c>true</c>/<c>false</c>; a bare flag (<c>--docker-push</c>) is true.</summary>
    Switch,
}
