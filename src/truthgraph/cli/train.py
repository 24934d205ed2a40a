"""truthgraph train-verifier: fine-tune the NLI verifier on the development data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.progress import progress_bar
from truthgraph.cli.state import state
from truthgraph.errors import DatasetError


@exits_cleanly
def train_command(
    ctx: typer.Context,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Development data (FEVER, SciFact, ...).")
    ] = Path("../shared/data"),
    out: Annotated[Path, typer.Option("--out", help="Where to write the model.")] = Path(
        "runs/verifier"
    ),
    base_model: Annotated[str, typer.Option("--base-model")] = "all-MiniLM-L6-v2",
    epochs: Annotated[int, typer.Option(min=1, max=20)] = 3,
    batch_size: Annotated[int, typer.Option(min=1, max=512)] = 16,
    learning_rate: Annotated[float, typer.Option()] = 4e-5,
    max_length: Annotated[int, typer.Option(min=16, max=512)] = 160,
    seed: Annotated[int, typer.Option()] = 13,
    max_train_pairs: Annotated[
        int | None, typer.Option(help="Use only the first N shuffled pairs (smoke runs).")
    ] = None,
    mutation_rate: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="Share of supported FEVER pairs given counterfactual mutations."
        ),
    ] = 0.6,
    scifact_repeat: Annotated[
        int, typer.Option(min=1, max=10, help="Times SciFact's rationale pairs are repeated.")
    ] = 2,
    title_rate: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of training steps that read a premise with its page title in front.",
        ),
    ] = 0.0,
    nei_filter_model: Annotated[
        str | None,
        typer.Option(
            help="A trained verifier (folder or name): near-miss NOT_ENOUGH_INFO pairs it reads "
            "as settling the claim are left out of training."
        ),
    ] = None,
    nei_filter_threshold: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5,
    lora_rank: Annotated[
        int,
        typer.Option(
            min=0,
            max=256,
            help="Train low-rank adapters of this rank on a frozen encoder (0: fine-tune all "
            "weights). The adapters are saved in OUT/adapter, the merged model in OUT.",
        ),
    ] = 0,
    init_adapter: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            file_okay=False,
            help="Go on training the low-rank adapters in this folder (a run's OUT/adapter) "
            "instead of new ones; --lora-rank must be their rank.",
        ),
    ] = None,
    teacher_model: Annotated[
        str | None,
        typer.Option(
            help="A trained verifier (name or folder) to distil: the student also learns its "
            "probabilities for every training pair."
        ),
    ] = None,
    distill_weight: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Weight of the teacher's term in the loss."),
    ] = 0.5,
    fm2: Annotated[
        bool,
        typer.Option(
            "--fm2",
            help="Add Fool Me Twice's pairs of the split: its gold pairs and one same-page "
            "near miss per claim as NOT_ENOUGH_INFO (filter those with --nei-filter-model).",
        ),
    ] = False,
    snli_pairs: Annotated[
        int,
        typer.Option(min=0, help="Add this many SNLI pairs (general NLI, detokenised)."),
    ] = 0,
    snli_only: Annotated[
        bool,
        typer.Option(
            "--snli-only",
            help="A first stage: train on SNLI pairs only (--snli-pairs of them, default all); "
            "then train the fact-verification stage with --base-model set to this OUT.",
        ),
    ] = False,
    nli_extra: Annotated[
        int,
        typer.Option(
            min=0,
            help="Add this many general NLI pairs from <data-dir>/nli-extra (LingNLI, MultiNLI "
            "dev, counterfactual SNLI, ConjNLI; drawn evenly).",
        ),
    ] = 0,
    contrast: Annotated[
        bool,
        typer.Option(
            "--contrast",
            help="Add the round-three pairs: another fact of the same page as NOT_ENOUGH_INFO, "
            "and gold sentences with their subject as a pronoun after a sentence naming it.",
        ),
    ] = False,
    checkpoint_every: Annotated[
        int,
        typer.Option(
            min=0, help="Save a checkpoint in OUT/checkpoint every N steps (0: only on stopping)."
        ),
    ] = 500,
    stop_after_steps: Annotated[
        int | None,
        typer.Option(
            min=1, help="Stop at this step with a checkpoint (go on later with --resume)."
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Go on from the checkpoint in OUT, with the same settings and the pairs kept "
            "there, to the same weights as a run that never stopped.",
        ),
    ] = False,
) -> None:
    """Train the NLI verifier on the development data.

    Fine-tunes a 3-class cross-encoder (entailment / neutral / contradiction) with fixed
    seeds, measures it on the held-out split and writes a model card next to the weights.
    Saves a checkpoint every --checkpoint-every steps; --resume goes on from it.
    """
    if not (data_dir / "fever" / "paper_dev.jsonl").is_file():
        raise DatasetError(f"{data_dir}: not a TruthGraph development-data folder")
    if init_adapter is not None and not lora_rank:
        raise typer.BadParameter(
            "needs --lora-rank (the adapters' rank)", param_hint="--init-adapter"
        )
    from truthgraph.ml.nli.config import TrainConfig
    from truthgraph.ml.nli.recipe import run_recipe
    from truthgraph.wiring import quiet_libraries

    quiet_libraries()
    config = TrainConfig(
        base_model=base_model,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_length=max_length,
        seed=seed,
        max_train_pairs=max_train_pairs,
        mutation_rate=mutation_rate,
        scifact_repeat=scifact_repeat,
        title_rate=title_rate,
        nei_filter_model=nei_filter_model,
        nei_filter_threshold=nei_filter_threshold,
        lora_rank=lora_rank,
        init_adapter=None if init_adapter is None else str(init_adapter),
        teacher_model=teacher_model,
        distill_weight=distill_weight,
        fm2=fm2,
        snli_pairs=snli_pairs,
        snli_only=snli_only,
        nli_extra_pairs=nli_extra,
        contrast=contrast,
        checkpoint_every=checkpoint_every,
        stop_after_steps=stop_after_steps,
    )
    settings = state(ctx).settings
    teacher = None
    if teacher_model is not None and not resume:  # a resumed run keeps the teacher's labels
        from truthgraph.wiring import build_nli

        model = settings.model.model_copy(update={"nli_model": teacher_model})
        teacher = build_nli(settings.model_copy(update={"model": model}))
    with progress_bar("train") as update:
        summary = run_recipe(
            data_dir,
            out,
            settings.models_dir,
            config,
            progress=lambda _stage, step, total, _loss: update(step, total),
            teacher=teacher,
            resume=resume,
        )
    if not summary["complete"]:
        sys.stdout.write(
            json.dumps({"stopped_at_step": summary["step"], "total_steps": summary["total_steps"]})
            + "\n"
        )
        return
    sys.stdout.write(json.dumps(summary["heldout_pairs"]) + "\n")
