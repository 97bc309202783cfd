using System.Diagnostics;
using System.Text.RegularExpressions;
using CacheFrom.Hosting;
using CacheFrom.Recording;
using CacheFrom.References;
using CacheFrom.Tarballs;
using CacheFrom.Tests.Support;

namespace CacheFrom.Tests.Cake;

/// <summary>
/// The Cake recipe end to end through the documented `dotnet cake build.cake --target=DockerPublish`:
/// one Cake script, the recipe from source, its tasks run by the cachefrom tool built from source.
/// </summary>
[NonParallelizable]
[Category("Docker")]
public sealed class CakeRecipeTests
{
    [OneTimeSetUp]
    public Task RestoreCake() => CakeRunner.RestoreToolsAsync();

    [Test]
    public async Task DockerPublish_run_again_on_an_emptied_engine_builds_the_builder_stage_from_the_tarball_cache()
    {
        using var sample = SampleProject.Create(slowSeconds: 2);
        var image = TestEnvironment.UniqueLocalRepository("cake");
        var store = Path.Combine(Path.GetTempPath(), "cachefrom-cake-store-" + Guid.NewGuid().ToString("N")[..8]);
        string[] arguments =
        [
            "--target=DockerPublish", $"--docker-image={image}", "--docker-tag=cake", $"--docker-context={sample.Directory}",
            $"--docker-cache-dir={store}", "--docker-cache=tarball",
        ];
        try
        {
            await EngineReset.EmptyAsync();
            var cold = await CakeRunner.RunBuildAsync(arguments);
            Assert.That(cold.ExitCode, Is.EqualTo(0), cold.Output);
            var coldRecord = CakeRunner.ReadRunRecord();
            var coldBuilderLayers = (await DockerCli.CheckAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", $"{image}:cake--builder")).Trim();

            await EngineReset.EmptyAsync();
            var warm = await CakeRunner.RunBuildAsync(arguments);
            Assert.That(warm.ExitCode, Is.EqualTo(0), warm.Output);
            var warmRecord = CakeRunner.ReadRunRecord();
            var warmBuilderLayers = (await DockerCli.CheckAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", $"{image}:cake--builder")).Trim();
            var summary = CakeOutput.Table(warm.Output, "Task", "Duration", "Status", "Skip Reason");

            Assert.Multiple(() =>
            {
                Assert.That(coldRecord.Image, Is.EqualTo(image), "the record read is this test's run");
                Assert.That(coldRecord.Runs("builder"), Has.Count.EqualTo(2), "the sample's builder has two RUN steps");
                Assert.That(coldRecord.Runs("builder").Count(i => i.Cached), Is.Zero, "the first run starts cold");
                Assert.That(File.Exists(Path.Combine(store, TarballStore.RepositoryFolder(ImageReference.Parse(image, "cake")), "cake.tar")), Is.True, "SaveTarball wrote the store");
                Assert.That(coldRecord.Steps.Where(s => s.Step == PipelineStep.PushAll), Is.Empty, "no push in tarball mode");

                // Each task is a process of its own; the run id of the Cake run makes them one run.
                Assert.That(
                    warmRecord.Steps.Select(s => s.Step),
                    Is.EqualTo(new[] { PipelineStep.LoadTarball, PipelineStep.ResolveCache, PipelineStep.BuildBuilderStage, PipelineStep.BuildFinalStage, PipelineStep.SaveTarball }),
                    "one record holds every step the tasks ran");
                Assert.That(warmRecord.RunId, Is.Not.EqualTo(coldRecord.RunId), "each Cake run is a run of its own");
                Assert.That(warmRecord.StepOf(PipelineStep.LoadTarball).BytesLoaded, Is.GreaterThan(0));
                // On the containerd image store the tarball is served as a loopback registry (127.0.0.1:PORT/IMAGE) by each task's own process.
                Assert.That(warmRecord.Stages.Single(s => s.Name == "builder").Winner, Does.EndWith($"{image}:cake--builder"));
                Assert.That(warmRecord.Runs("builder"), Has.Count.EqualTo(2));
                Assert.That(warmRecord.Runs("builder").Count(i => i.Cached), Is.EqualTo(2), "the second run hits the cache for both slow steps");
                // Layers, not the image id: Docker 26 writes a different inline-cache record into the config of a rebuild from imported cache.
                Assert.That(warmBuilderLayers, Is.EqualTo(coldBuilderLayers), "a fully cached builder stage has the very same layers");

                Assert.That(summary["PushAll"], Is.EqualTo(new[] { "-", "Skipped", "docker-push is false" }));
                Assert.That(summary["SaveTarball"][1], Is.EqualTo("Succeeded"));
                Assert.That(summary["DockerPublish"][1], Is.EqualTo("Succeeded"));
                Assert.That(File.Exists(Path.Combine(RepositoryFiles.RootDirectory, ".nuke", "temp", "cachefrom", "cachefrom-report.json")), Is.True, "DockerPublish wrote the report");
            });
        }
        finally
        {
            if (Directory.Exists(store))
                Directory.Delete(store, recursive: true);
        }
    }

    [Test]
    public async Task A_bad_parameter_fails_in_Setup_with_the_tools_one_message_before_any_task()
    {
        var result = await CakeRunner.RunBuildAsync(
            "--target=DockerPublish", $"--docker-image={TestEnvironment.UniqueLocalRepository("cake-bad")}", "--docker-cache=sometimes", "--docker-password=p4ss");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.EqualTo(0));
            Assert.That(result.Output, Does.Contain("Error: Invalid CacheFrom parameters:"));
            Assert.That(Regex.Count(result.Output, "docker-cache 'sometimes' is not valid; use registry, tarball, both or none"), Is.EqualTo(1), "the message once");
            Assert.That(result.Output, Does.Contain("docker-username and docker-password go together"), "every problem in the one message");
            Assert.That(result.Output, Does.Not.Contain("p4ss"));
            Assert.That(result.Output, Does.Not.Contain(" at Submission"), "no stack trace");
            Assert.That(result.Output, Does.Not.Contain(" at CacheFrom."), "no stack trace");
            foreach (var step in CacheFromStepTable.All)
                Assert.That(result.Output, Does.Not.Contain(step.Name), "no task ran, none is listed");
        });
    }

    [Test]
    public async Task The_tools_command_line_carries_no_parameter_since_every_user_of_the_machine_can_read_it()
    {
        // Cake logs each command line it runs at diagnostic verbosity; the parameters travel in the tool's environment.
        var result = await CakeRunner.RunBuildAsync(
            "--target=DockerPublish", $"--docker-image={TestEnvironment.UniqueLocalRepository("cake-ps")}", "--docker-cache=sometimes", "--docker-password=p4ss", "--verbosity=diagnostic");
        var toolCalls = result.Output.Split('\n').Where(line => line.Contains("Executing: ", StringComparison.Ordinal) && line.Contains("cachefrom", StringComparison.Ordinal)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(result.Output, Does.Contain("docker-cache 'sometimes' is not valid"), "the tool read the parameters");
            Assert.That(toolCalls, Is.Not.Empty, "Cake logged the tool's command line");
            Assert.That(toolCalls, Has.None.Contains("--docker-"), "no parameter on the tool's command line");
            Assert.That(result.Output, Does.Not.Contain("p4ss"));
        });
    }

    [Test]
    public async Task Parameters_come_from_the_environment_but_DOCKER_CONTEXT_keeps_the_docker_CLIs_meaning()
    {
        // DOCKER_IMAGE is read (and is invalid here); DOCKER_CONTEXT names a CLI context, never the build context.
        var environment = new Dictionary<string, string>
        {
            ["DOCKER_IMAGE"] = "Not/A/Valid/Repository",
            ["DOCKER_CONTEXT"] = "some-cli-context",
        };

        var result = await CakeRunner.RunBuildAsync(environment, "--target=DockerPublish");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.EqualTo(0));
            Assert.That(result.Output, Does.Contain("Error: Invalid CacheFrom parameters:"));
            Assert.That(result.Output, Does.Contain("docker-image 'Not/A/Valid/Repository'"));
            Assert.That(result.Output, Does.Not.Contain("some-cli-context"));
            Assert.That(result.Output, Does.Not.Contain("LoadTarball"), "nothing ran");
        });
    }

    [Test]
    public async Task A_step_whose_mode_is_off_shows_as_skipped_with_the_tools_reason_and_the_target_records_it()
    {
        var image = TestEnvironment.UniqueLocalRepository("cake-skip");

        var result = await CakeRunner.RunBuildAsync("--target=ResolveCache", $"--docker-image={image}", "--docker-tag=skip", "--docker-cache=none");
        var record = CakeRunner.ReadRunRecord();
        var summary = CakeOutput.Table(result.Output, "Task", "Duration", "Status", "Skip Reason");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
            Assert.That(summary["LoadTarball"], Is.EqualTo(new[] { "-", "Skipped", "docker-cache is none, not tarball or both" }));
            // Cake fails a run whose target is skipped: the target runs, and the tool records the step as skipped.
            Assert.That(summary["ResolveCache"][1], Is.EqualTo("Succeeded"));
            Assert.That(result.Output, Does.Contain("ResolveCache skipped: docker-cache is none"));
            Assert.That(record.Image, Is.EqualTo(image));
            Assert.That(record.Steps.Select(s => (s.Step, s.Outcome)), Is.EqualTo(new[] { (PipelineStep.ResolveCache, StepOutcome.Skipped) }));
        });
    }

    [Test]
    public async Task Bare_flags_and_repeated_values_reach_the_tool_as_it_reads_them()
    {
        using var sample = SampleProject.Create(slowSeconds: 1);
        var image = TestEnvironment.UniqueLocalRepository("cake-args");

        // A bare --docker-push is true (Cake's own Argument<bool> would read false); each repeated
        // --docker-cache-fallback is one tag; names are matched as the tool spells them.
        var result = await CakeRunner.RunBuildAsync(
            "--target=ResolveCache", $"--Docker-Image={image}", "--docker-tag=args", $"--docker-context={sample.Directory}", "--docker-cache=tarball",
            "--docker-push", "--docker-cache-fallback=first", "--docker-cache-fallback", "second");
        var record = CakeRunner.ReadRunRecord();

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
            Assert.That(record.Image, Is.EqualTo(image));
            Assert.That(record.Push, Is.True, "a bare --docker-push");
            Assert.That(
                record.Stages.Single(s => s.Name == "builder").Candidates.Select(c => c.Reference),
                Is.EqualTo(new[] { $"{image}:args--builder", $"{image}:first--builder", $"{image}:second--builder" }),
                "this tag, then each fallback in order");
        });
    }

    [Test]
    public async Task The_tasks_Cake_lists_are_the_step_tables_names_descriptions_and_dependencies()
    {
        var descriptions = await CakeRunner.RunBuildAsync("--description");
        var tree = await CakeRunner.RunBuildAsync("--tree", "--target=DockerPublish");
        Assert.That(descriptions.ExitCode, Is.EqualTo(0), descriptions.Output);
        Assert.That(tree.ExitCode, Is.EqualTo(0), tree.Output);

        var listed = CakeOutput.Table(descriptions.Output, "Task", "Description");
        var (root, children) = CakeOutput.Tree(tree.Output);

        Assert.Multiple(() =>
        {
            // build.cake adds no task of its own: every task listed is the recipe's.
            Assert.That(listed.Keys, Is.EqualTo(CacheFromStepTable.All.Select(s => s.Name)), "the same tasks, in the table's order");
            Assert.That(root, Is.EqualTo(CacheFromStepTable.DockerPublish.Name));
            foreach (var step in CacheFromStepTable.All)
            {
                Assert.That(listed.GetValueOrDefault(step.Name)?[0], Is.EqualTo(step.Description), $"{step.Name}'s description");
                Assert.That(children.GetValueOrDefault(step.Name), Is.EqualTo(step.DependsOn), $"{step.Name}'s dependencies, in order");
            }

            // PruneCache is a target of its own, outside DockerPublish's order; its After is for a run of both.
            var published = CacheFromStepTable.All.Where(s => s != CacheFromStepTable.PruneCache).ToList();
            Assert.That(ExecutionOrder(root, children), Does.Not.Contain(CacheFromStepTable.PruneCache.Name), "DockerPublish does not prune");

            // Cake has no After: DockerPublish's order must give it (Cake runs dependencies depth first, in declared order).
            var order = ExecutionOrder(root, children);
            foreach (var step in published)
            {
                foreach (var before in step.After)
                    Assert.That(order.IndexOf(before), Is.LessThan(order.IndexOf(step.Name)), $"{before} runs before {step.Name}");
            }
        });
    }

    [Test]
    public async Task Ctrl_C_stops_the_step_in_flight_and_Cake_ends_after_the_tool_with_its_message()
    {
        using var sample = SampleProject.Create(slowSeconds: 60);
        var image = TestEnvironment.UniqueLocalRepository("cake-cancel");
        var interrupted = 0;

        // A terminal sends Ctrl+C to the whole foreground process group: Cake and the tool alike.
        var result = await CakeRunner.RunBuildAsync(
            new CakeRunOptions
            {
                OwnProcessGroup = true,
                OnLine = (line, processGroup) =>
                {
                    if (line.Contains("Building stage builder", StringComparison.Ordinal) && Interlocked.Exchange(ref interrupted, 1) == 0)
                        Process.Start("kill", ["-s", "INT", "--", "-" + processGroup]).WaitForExit();
                },
            },
            "--target=DockerPublish", $"--docker-image={image}", "--docker-tag=cancel", $"--docker-context={sample.Directory}", "--docker-cache=none");
        var record = CakeRunner.ReadRunRecord();
        var summary = CakeOutput.Table(result.Output, "Task", "Duration", "Status");
        var left = await ProcessRunner.RunAsync("pgrep", ["-g", result.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)], RepositoryFiles.RootDirectory, TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(interrupted, Is.EqualTo(1), "the build started");
            Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Output);
            Assert.That(result.Output, Does.Contain("Error: BuildBuilderStage was cancelled (Ctrl+C)"));
            Assert.That(summary["BuildBuilderStage"][1], Is.EqualTo("Failed"));
            Assert.That(summary.ContainsKey("BuildFinalStage"), Is.False, "no task after the cancelled one");
            Assert.That(record.Image, Is.EqualTo(image));
            Assert.That(record.StepOf(PipelineStep.BuildBuilderStage).Outcome, Is.EqualTo(StepOutcome.Failed), "the tool recorded the step before it ended");
            Assert.That(left.ExitCode, Is.EqualTo(1), $"no process of the run is left: {left.Output}");
        });
    }

    /// <summary>The order Cake runs <paramref name="root"/>'s tasks in: dependencies first, depth first, in declared order, each once.</summary>
    private static List<string> ExecutionOrder(string root, IReadOnlyDictionary<string, IReadOnlyList<string>> children)
    {
        var order = new List<string>();
        void Visit(string task)
        {
            if (order.Contains(task))
                return;
            foreach (var child in children.GetValueOrDefault(task) ?? [])
                Visit(child);
            order.Add(task);
        }

        Visit(root);
        return order;
    }
}
