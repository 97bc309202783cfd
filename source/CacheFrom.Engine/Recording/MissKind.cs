namespace CacheFrom.Recording;

/// <summary>Why an instruction was built rather than taken from the cache, as its fingerprint tells against the winning cache image's.</summary>
public enum MissKind
{
    /// <summary>No cache image existed for the stage (or the run used no cache).</summary>
    NoCache,

    /// <summary>A cache image existed, but no fingerprints of it were recorded to compare with.</summary>
    NoHistory,

    /// <summary>Its inputs can't be known before it runs (<c>ADD &lt;url&gt;</c>, an unknown frontend, an unresolved image).</summary>
    Unknowable,

    /// <summary>The instruction's text (flags and heredocs included) differs, or it is new.</summary>
    InstructionChanged,

    /// <summary>Context files it copies or mounts changed, appeared or went away.</summary>
    FilesChanged,

    /// <summary>A build arg it sees has another value.</summary>
    BuildArgChanged,

    /// <summary>The base image's tag points to another image.</summary>
    BaseImageMoved,

    /// <summary>A stage or image it copies from or mounts changed.</summary>
    SourceChanged,

    /// <summary>The builder, the target platform or the parser directives differ.</summary>
    BuilderChanged,

    /// <summary>Its own inputs are unchanged; an earlier step of the stage changed.</summary>
    EarlierStepMissed,

    /// <summary>Its inputs are those the cache image was built from, yet the builder ran it: the builder did not get that cache.</summary>
    InputsUnchanged,

    /// <summary>A cache existed but was not fetched: predicted to cost more than it saves, or docker-cache-fetch never (docs/fetch-cost.md).</summary>
    NotFetched,

    /// <summary>
    /// Its inputs are those the cache image was built from, but that image's inline cache metadata
    /// leaves its layer out (the engine that built the image wrote it incompletely): BuildKit had nothing of it to reuse.
    /// </summary>
    CacheMetadataIncomplete,
}
