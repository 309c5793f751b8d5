"""Screening speed beside better-profanity, and screening accuracy on labelled sentences.

Speed: the same generated pain-community messages (200 and 2,000 characters) go through
better-profanity 0.7's own ``contains_profanity`` (a small sample: it manages a few messages a
second) and through ours; the table shows messages a second, the ratio, and the longest single
call (how long one message could hold the event loop).

The cascade's second stage (the contextual encoder): its load time and memory, the share of
ordinary chat that reaches it, the mean screen() time over ordinary chat, and p99 for a
2,000-character message that reaches it.

Accuracy: precision and recall for profanity on ``../shared/eval/screening-dev.jsonl`` (skipped
if absent) and on our own sentences in ``benchmarks/data/``, with better-profanity's default
verdicts beside ours; and crisis tiers per set (``crisis_tiers``): recall at ``crisis`` and at
``concern`` or above, false alarms at each tier, and ``concern`` on ordinary chat. The crisis sets:
``crisis/crisis_heldout_v2.jsonl`` (HELD OUT: look once per change, log in
``benchmarks/data/crisis/eval_log.md``), the training sentences (``bot/screening/training``; figures
on them are not estimates), the shared dev set and the older ``screening_*`` files (labelled in
the rules' old convention, where passive wishes were "crisis").

    python -m benchmarks.screening [--quick]
    python -m benchmarks.screening --crisis-only FILE [--by-kind]   # one set's tiers, by kind
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.screening import detector, prepare_now, profanity, screen
from bot.screening.crisis import detect

ROOT = Path(__file__).resolve().parent.parent
DEV_FILE = ROOT.parent / "shared" / "eval" / "screening-dev.jsonl"
OWN_FILES = sorted((ROOT / "benchmarks" / "data").glob("screening_*.jsonl"))
# Held-out sets, newest last (docs/screening.md: each was written before the round it measures).
# In version order (v10 after v9, not after v1 as the names sort): the last is the newest set.
HELDOUT_FILES = sorted((ROOT / "benchmarks" / "data" / "crisis").glob("crisis_heldout_v*.jsonl"),
                       key=lambda p: int(p.stem.rsplit("_v", 1)[1]))
TRAINING_DIR = ROOT / "bot" / "screening" / "training"

# Messages members of a chronic-pain circle write; a few carry profanity, curly quotes or emoji.
SENTENCES = (
    "My back pain is bad today and the flare won't stop.",
    "I tried the new stretching routine my physio suggested and it helped a little.",
    "Does anyone else get nerve pain in their feet at night?",
    "Pacing helps but some days I just can’t do much at all.",
    "The pain clinic finally listened to me about my endometriosis.",
    "I'm so tired of explaining fibromyalgia to my family.",
    "Heat pads and gentle walks are my best friends this week 🙂",
    "My rheumatologist changed my meds again, fingers crossed.",
    "I don't know how I'll manage the school run tomorrow, my hips are killing me.",
    "Has anyone tried low dose naltrexone? My GP mentioned it.",
    "I take my tablets with breakfast so I don't forget them.",
    "Sleep is the hardest part, I wake up every two hours.",
    "Thank you all for being so kind last week, it meant a lot.",
    "I finally got an appointment with the neurologist after eight months.",
    "Today is a good day: I managed twenty minutes in the garden!",
    "The infusion made me dizzy but the pain dropped from 8 to 5.",
    "I have to take the bus to the hospital and the seats are awful for my back.",
    "Will the circle meet on Thursday even with the bank holiday?",
    "I keep a pain diary and it really helps me spot patterns.",
    "My knee gave out on the stairs again, nothing broken thankfully.",
    "We agreed to cut back my opioids slowly over the next three months.",
    "Small win: I cooked dinner for the first time in ages.",
    "Brain fog is worse than the pain some days, I lose my words.",
    "The insurance company is full of shit, they denied the scan again.",
    "This fucking weather sets off every joint I have.",
    "Vulvodynia and pelvic floor physio are a lot to talk about, but it helps.",
)


def corpus(count: int, length: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    messages = []
    for _ in range(count):
        text = ""
        while len(text) < length:
            text += rnd.choice(SENTENCES) + " "
        messages.append(text[:length])
    return messages


def rate(fn: Callable[[str], object], messages: Sequence[str]) -> tuple[float, float, float]:
    """(messages a second, 99th-percentile call in ms, longest single call in ms)."""
    gc.collect()
    calls = []
    start = time.perf_counter()
    for text in messages:
        t0 = time.perf_counter()
        fn(text)
        calls.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    calls.sort()
    return len(messages) / elapsed, calls[int(len(calls) * 0.99)] * 1000, calls[-1] * 1000


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def scores(rows: list[dict], key: str, predict: Callable[[str], bool]) -> dict[str, float | int]:
    tp = fp = fn = 0
    for row in rows:
        got, want = predict(row["text"]), bool(row[key])
        tp += got and want
        fp += got and not want
        fn += want and not got
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "false_alarms": fp,
        "missed": fn,
        "positives": tp + fn,
    }


def crisis_rows(path: Path) -> list[dict]:
    """Rows with ``label`` (none/concern/crisis) and ``kind``; older files are mapped."""
    out = []
    for r in load(path):
        if "label" not in r:
            level = r.get("level") or ("crisis" if r["crisis"] else "none")
            r = {"text": r["text"], "label": level, "kind": r.get("category") or "dev"}
        out.append(r)
    return out


def crisis_tiers(rows: list[dict], tiers: list[str]) -> dict[str, tuple[int, int]]:
    """(hits, of) per figure."""
    def count(sel: Callable[[dict], bool], ok: Callable[[str], bool]) -> tuple[int, int]:
        idx = [i for i, r in enumerate(rows) if sel(r)]
        return sum(ok(tiers[i]) for i in idx), len(idx)

    return {
        "recall_at_crisis": count(lambda r: r["label"] == "crisis", lambda t: t == "crisis"),
        "recall_at_concern_or_above": count(lambda r: r["label"] == "crisis", lambda t: t != "none"),
        "concern_recall_at_concern_or_above": count(lambda r: r["label"] == "concern", lambda t: t != "none"),
        "crisis_false_alarms_non_crisis": count(lambda r: r["label"] != "crisis", lambda t: t == "crisis"),
        "concern_or_above_false_alarms_none": count(lambda r: r["label"] == "none", lambda t: t != "none"),
        "ordinary_chat_concern_or_above": count(lambda r: r["kind"] == "ordinary_chat", lambda t: t != "none"),
    }


def crisis_sets() -> list[tuple[str, Path | list[Path]]]:
    sets: list[tuple[str, Path | list[Path]]] = [(f"heldout {p.stem.rsplit('_', 1)[-1]}", p) for p in HELDOUT_FILES]
    sets.append(("train (not an estimate)", sorted(TRAINING_DIR.glob("*.jsonl"))))
    if DEV_FILE.exists():
        sets.append(("dev", DEV_FILE))
    return sets + [(p.stem.removeprefix("screening_"), p) for p in OWN_FILES]


def report_crisis(name: str, rows: list[dict], by_kind: bool = False) -> dict[str, object]:
    verdicts = [screen(r["text"]) for r in rows]
    tiers = [v.crisis for v in verdicts]
    rules = [{"crisis": "crisis", "concern": "concern"}.get(detect(r["text"]).level, "none") for r in rows]
    figs, rule_figs = crisis_tiers(rows, tiers), crisis_tiers(rows, rules)
    print(f"\n{name}: {len(rows)} rows (model {'loaded' if detector.state().loaded else 'NOT loaded'})")
    print(f"  {'figure':36s} {'screen() tiers':>18s} {'rules alone (raw)':>18s}")
    out: dict[str, object] = {}
    for key, (k, n) in figs.items():
        rk, _ = rule_figs[key]
        print(f"  {key:36s} {f'{k}/{n}':>10s} {k / n if n else 0:6.3f}  {f'{rk}/{n}':>10s} {rk / n if n else 0:6.3f}")
        out[key] = round(k / n, 3) if n else None
    signals: dict[str, int] = {}
    for v in verdicts:
        signals[str(v.signal)] = signals.get(str(v.signal), 0) + 1
    print(f"  deciding signals: {dict(sorted(signals.items()))}")
    if by_kind:
        print("  by (label, kind): at concern-or-above / at crisis   [screen() | rules]")
        groups: dict[tuple[str, str], list[int]] = {}
        for i, r in enumerate(rows):
            groups.setdefault((r["label"], r["kind"]), []).append(i)
        for (lab, kind), idx in sorted(groups.items()):
            cells = [f"{sum(t[i] != 'none' for i in idx):2d}/{sum(t[i] == 'crisis' for i in idx):2d}"
                     for t in (tiers, rules)]
            print(f"    {lab:8s} {kind:22s} n={len(idx):3d}   " + " | ".join(cells))
    return out


def _rss_mb() -> float:
    """Resident memory now (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path("/proc/self/status").read_text().split("VmRSS:")[1].split()
        return int(fields[0]) / 1024
    except (OSError, IndexError, ValueError):
        return 0.0


def _encoder_memory_mb() -> float:
    """Resident memory the encoder adds to a process that already screens with the fast model,
    measured in a fresh interpreter (in this one, freed memory would be reused and hide it)."""
    import subprocess
    import sys

    code = ("from benchmarks.screening import _rss_mb\n"
            "from bot.screening import detector, semantic\n"
            "m = semantic.CrisisModel(); m.score('warming up the fast model'); a = _rss_mb()\n"
            "from bot.screening.encoder import Encoder\n"
            "e = Encoder(); e.embed(['warming up']); print(_rss_mb() - a)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def encoder_figures(quick: bool) -> dict[str, object]:
    """The cascade's second stage: the share of ordinary chat that reaches the encoder, the mean
    time per ordinary message, and p99 for a 2,000-character message that reaches it."""
    from bot.screening.encoder import Encoder

    t0 = time.perf_counter()
    Encoder()  # a second copy, to time the load (the detector holds one)
    load_ms = (time.perf_counter() - t0) * 1000
    added_mb = _encoder_memory_mb()
    chat = [r["text"] for p in HELDOUT_FILES[:-1] for r in crisis_rows(p) if r["kind"] == "ordinary_chat"]
    chat += list(SENTENCES)
    reached = sum(1 for text in chat if detector.first_stage(text).needs_encoder)
    chat_times = []
    for text in chat[: 150 if quick else len(chat)]:
        t = time.perf_counter()
        screen(text)
        chat_times.append((time.perf_counter() - t) * 1000)
    filler = corpus(1, 1800, seed=7)[0]
    marked = [filler + " I have given my dog to my sister and written letters for everyone. Thank you for everything.",
              "Thank you all for everything. " + filler + " The bridge, tonight. Please don't come looking."]
    long_times = []
    for i in range(20 if quick else 100):
        text = marked[i % 2]
        t = time.perf_counter()
        screen(text)
        long_times.append((time.perf_counter() - t) * 1000)
    long_times.sort()
    p99 = long_times[min(len(long_times) - 1, int(len(long_times) * 0.99))]
    mean_chat = sum(chat_times) / len(chat_times)
    print(f"\nEncoder (second stage): load {load_ms:.0f} ms, +{added_mb:.0f} MB resident; ordinary chat reaching it "
          f"{reached}/{len(chat)} = {reached / len(chat):.1%}; mean screen() over ordinary chat {mean_chat:.2f} ms; "
          f"a 2,000-character message that reaches it: p99 {p99:.1f} ms")
    return {"encoder_load_ms": round(load_ms), "encoder_added_mb": round(added_mb),
            "chat_reaching_encoder": round(reached / len(chat), 3), "chat_mean_ms": round(mean_chat, 3),
            "encoder_2000_p99_ms": round(p99, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.screening", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--crisis-only", type=Path, help="only the crisis tiers of this JSONL set")
    parser.add_argument("--by-kind", action="store_true", help="with --crisis-only: figures by kind")
    args = parser.parse_args(argv)
    if args.crisis_only:
        prepare_now()
        report_crisis(args.crisis_only.name, crisis_rows(args.crisis_only), args.by_kind)
        return 0
    return run(args)


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    profanity.prepare()
    compile_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    model_state = detector.load()
    model_ms = (time.perf_counter() - t0) * 1000
    from better_profanity import profanity as bp  # imported here: it builds its list on import

    ours_n = {200: 400, 2000: 80} if args.quick else {200: 4000, 2000: 800}
    bp_n = {200: 4, 2000: 1} if args.quick else {200: 40, 2000: 6}
    figures: dict[str, object] = {"benchmark": "screening", "compile_ms": round(compile_ms, 1),
                                  "model_load_ms": round(model_ms, 1), "model_loaded": model_state.loaded}

    print(f"Compiling the trimmed list once: {compile_ms:.0f} ms; loading the crisis model: {model_ms:.0f} ms "
          f"({'loaded' if model_state.loaded else 'NOT loaded: ' + str(model_state.reason)})\n")
    print("Profanity check (contains) per message, better-profanity's own beside ours; then the whole")
    print("screen() (profanity + crisis rules + crisis model + identifying details). Call times in ms: p99 / max.\n")
    print(f"{'length':>6}  {'better-profanity/s':>18}  {'ours/s':>9}  {'ratio':>7}  {'ours p99/max':>13}  "
          f"{'screen()/s':>10}  {'screen p99/max':>14}")
    for length in (200, 2000):
        messages = corpus(ours_n[length], length, seed=length)
        bp_rate, _, _ = rate(bp.contains_profanity, messages[: bp_n[length]])
        ours_rate, ours_p99, ours_max = rate(profanity.contains, messages)
        screen_rate, screen_p99, screen_max = rate(screen, messages)
        ratio = ours_rate / bp_rate
        print(f"{length:>6}  {bp_rate:>18.1f}  {ours_rate:>9.0f}  {ratio:>6.0f}x  "
              f"{ours_p99:>6.3f}/{ours_max:<6.3f}  {screen_rate:>10.0f}  {screen_p99:>7.3f}/{screen_max:<6.3f}")
        figures.update({
            f"bp_msgs_per_s_{length}": round(bp_rate, 2),
            f"ours_msgs_per_s_{length}": round(ours_rate),
            f"ratio_{length}": round(ratio),
            f"ours_p99_call_ms_{length}": round(ours_p99, 3),
            f"ours_max_call_ms_{length}": round(ours_max, 3),
            f"screen_msgs_per_s_{length}": round(screen_rate),
            f"screen_p99_call_ms_{length}": round(screen_p99, 3),
            f"screen_max_call_ms_{length}": round(screen_max, 3),
        })
    figures.update(encoder_figures(args.quick))
    print(f"\n(better-profanity measured on {bp_n[200]} and {bp_n[2000]} messages, ours on "
          f"{ours_n[200]} and {ours_n[2000]}; both in this run, on the same messages.)\n")

    sets = ([("dev", DEV_FILE)] if DEV_FILE.exists() else []) + [(p.stem, p) for p in OWN_FILES]
    if not DEV_FILE.exists():
        print(f"{DEV_FILE} not found: dev-set figures skipped (it lives in ../shared beside the repo).\n")
    print(f"{'set':<28} {'rows':>4}  {'what':<22} {'precision':>9} {'recall':>6} {'false alarms':>12}")
    for name, path in sets:
        rows = load(path)
        results = {"profanity (ours)": scores(rows, "profane", profanity.contains)}
        if name == "dev" or not args.quick:  # better-profanity takes ~15 ms a sentence
            results["profanity (better-prof.)"] = scores(rows, "profane", bp.contains_profanity)
        for what, s in results.items():
            print(f"{name:<28} {len(rows):>4}  {what:<22} {s['precision']:>9} {s['recall']:>6} "
                  f"{s['false_alarms']:>12}")
        key = "dev" if name == "dev" else name.removeprefix("screening_")
        figures[f"{key}_profanity_precision"] = results["profanity (ours)"]["precision"]
        figures[f"{key}_profanity_recall"] = results["profanity (ours)"]["recall"]
        if "profanity (better-prof.)" in results:
            figures[f"{key}_bp_profanity_precision"] = results["profanity (better-prof.)"]["precision"]
            figures[f"{key}_bp_profanity_recall"] = results["profanity (better-prof.)"]["recall"]

    print("\nCrisis tiers per set (screen(): rules and model combined; rules alone beside).")
    for name, where in crisis_sets():
        paths = where if isinstance(where, list) else [where]
        rows = [r for p in paths for r in crisis_rows(p)]
        key = name.split(" (")[0].replace(" ", "_")  # "heldout v5", "train", "dev"
        for fig, value in report_crisis(name, rows).items():
            figures[f"crisis_{key}_{fig}"] = value
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
