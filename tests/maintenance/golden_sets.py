# ruff: noqa: E501 - the passages and questions are data, one row per line
"""Regenerate the synthetic golden sets the template ships under template/evals/.

Deterministic (fixed seeds): rerunning it rewrites identical files. The data are synthetic
but shaped like the real thing, small enough to read in review, and each has a `slice`
column so every metric is reported per slice.

    uvx --with uv nox -s golden-sets
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

TEMPLATE = Path(__file__).resolve().parents[2] / "template"
GOLDEN = TEMPLATE / "evals" / "golden"
DATA = TEMPLATE / "evals" / "data"

APPLIED = "{% if track == 'applied-ml' %}"
PLATFORM = "{% if track == 'platform' %}"
RAG = "{% if track == 'genai-rag' or 'genai' in capabilities %}"
SEARCH = "{% if track == 'search' %}"
CORPUS = "{% if track in ['genai-rag', 'search'] or 'genai' in capabilities %}"
RL = "{% if track == 'rl' or 'rl' in capabilities %}"
VISION = "{% if track == 'vision' or 'vision' in capabilities %}"
EDGE = "{% if track == 'edge' or 'edge' in capabilities %}"
END = "{% endif %}"


def write(directory: Path, condition: str, name: str, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{condition}{name}{END}").write_text(text, encoding="utf-8")


def jsonl(rows: Sequence[Mapping[str, Any]]) -> str:
    return "".join(json.dumps(row, separators=(", ", ": ")) + "\n" for row in rows)


def csv_text(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def classification() -> None:
    """Churn-style binary classification: train on Jan-Mar 2024, evaluate on April."""
    rng = np.random.default_rng(101)
    segments = ["new", "established", "enterprise"]
    header = ["id", "timestamp", "slice", "tenure_months", "sessions_per_week",
              "support_tickets", "monthly_spend", "label"]  # fmt: skip

    def rows(n: int, start: date, days: int, prefix: str) -> list[list[object]]:
        out: list[list[object]] = []
        for i in range(n):
            segment = segments[int(rng.choice(3, p=[0.35, 0.45, 0.2]))]
            tenure = {"new": rng.integers(0, 6), "established": rng.integers(6, 48),
                      "enterprise": rng.integers(12, 96)}[segment]  # fmt: skip
            sessions = max(0.0, rng.normal(6 if segment != "new" else 3, 2.5))
            tickets = int(rng.poisson(1.2 if segment != "enterprise" else 2.0))
            spend = max(
                5.0, rng.normal({"new": 20, "established": 45, "enterprise": 180}[segment], 10)
            )
            # Churn risk relative to the segment's norm, so every slice has both classes.
            norm = {"new": (3, 3, 1.2, 20), "established": (27, 6, 1.2, 45),
                    "enterprise": (54, 6, 2.0, 180)}[segment]  # fmt: skip
            logit = (-0.4 - 0.04 * (tenure - norm[0]) - 0.45 * (sessions - norm[1])
                     + 0.8 * (tickets - norm[2]) - 0.02 * (spend - norm[3]))  # fmt: skip
            label = int(rng.random() < 1 / (1 + np.exp(-logit)))
            day = start + timedelta(days=int(rng.integers(0, days)))
            out.append([f"{prefix}{i:04d}", day.isoformat(), segment, int(tenure),
                        round(float(sessions), 2), tickets, round(float(spend), 2), label])  # fmt: skip
        out.sort(key=lambda row: (str(row[1]), str(row[0])))
        return out

    write(
        DATA,
        APPLIED,
        "classification_train.csv",
        csv_text(header, rows(600, date(2024, 1, 1), 91, "c")),
    )
    write(
        GOLDEN,
        APPLIED,
        "classification.csv",
        csv_text(header, rows(300, date(2024, 4, 1), 30, "e")),
    )


# Help-centre passages: (id, area, text). Shared by the search and RAG golden sets.
PASSAGES = [
    (
        "p01",
        "billing",
        "Invoices are issued on the first day of each month. You can download every invoice as a PDF from the Billing page. Invoices older than seven years are deleted.",
    ),
    (
        "p02",
        "billing",
        "Refunds are available within 30 days of a charge. Request a refund from the Billing page and it reaches your card in five to ten business days.",
    ),
    (
        "p03",
        "billing",
        "Annual plans are billed once a year at a 20 percent discount. Switching from a monthly to an annual plan takes effect at the next renewal.",
    ),
    (
        "p04",
        "billing",
        "Failed payments are retried three times over nine days. After the third failure the workspace becomes read-only until the balance is paid.",
    ),
    (
        "p05",
        "billing",
        "Value added tax is charged according to the billing address. Enter a VAT number on the Billing page to apply the reverse charge.",
    ),
    (
        "p06",
        "account",
        "Reset a forgotten password from the sign-in page with the Forgot password link. The reset link expires after 60 minutes.",
    ),
    (
        "p07",
        "account",
        "Two-factor authentication supports authenticator apps and hardware security keys. SMS codes are not supported for new accounts.",
    ),
    (
        "p08",
        "account",
        "Workspace owners can transfer ownership from the Members page. The new owner must accept the transfer within seven days.",
    ),
    (
        "p09",
        "account",
        "Deleting an account removes all files after a 14 day grace period. During the grace period an owner can restore the account.",
    ),
    (
        "p10",
        "account",
        "Single sign-on with SAML is available on the Enterprise plan. Configure the identity provider from the Security page.",
    ),
    (
        "p11",
        "storage",
        "The Free plan includes 5 GB of storage and the Team plan includes 2 TB per workspace. Extra storage is sold in blocks of 1 TB.",
    ),
    (
        "p12",
        "storage",
        "Deleted files stay in the trash for 30 days. Owners can restore a file from the trash or empty the trash to free space at once.",
    ),
    (
        "p13",
        "storage",
        "Version history keeps 100 versions of each file. Older versions are pruned automatically, oldest first.",
    ),
    (
        "p14",
        "storage",
        "The largest file you can upload is 50 GB. Uploads over 5 GB are split into parts and resumed automatically after a network drop.",
    ),
    (
        "p15",
        "storage",
        "Files are encrypted at rest with AES-256 and in transit with TLS 1.3. Enterprise customers can bring their own encryption keys.",
    ),
    (
        "p16",
        "sharing",
        "Share links can be protected with a password and an expiry date. Link expiry is available on the Team and Enterprise plans.",
    ),
    (
        "p17",
        "sharing",
        "Guests can view and comment on shared folders without an account. Editing a shared folder requires a member seat.",
    ),
    (
        "p18",
        "sharing",
        "Folder permissions are inherited by subfolders. Breaking inheritance on a subfolder lets you grant narrower access.",
    ),
    (
        "p19",
        "sharing",
        "Download limits protect share links from abuse: a link is paused after 500 downloads in one day.",
    ),
    (
        "p20",
        "api",
        "The REST API is rate limited to 600 requests per minute per token. Responses include headers that show the remaining quota.",
    ),
    (
        "p21",
        "api",
        "Personal access tokens expire after 90 days. Create a token from the Developer page and store it in a secrets manager.",
    ),
    (
        "p22",
        "api",
        "Webhooks deliver file events within seconds and retry failed deliveries with exponential backoff for up to 24 hours.",
    ),
    (
        "p23",
        "api",
        "The sync client runs on Windows, macOS and Linux. Selective sync lets you keep only chosen folders on a device.",
    ),
    (
        "p24",
        "api",
        "Audit logs record sign-ins, sharing changes and deletions. Enterprise admins can export audit logs as CSV for 365 days.",
    ),
]

# (query, slice, relevant passage -> grade). head: short keyword queries; tail: rarer phrasing.
SEARCH_QUERIES = [
    ("download invoice pdf", "head", {"p01": 2, "p05": 1}),
    ("refund request", "head", {"p02": 2}),
    ("annual plan discount", "head", {"p03": 2}),
    ("reset password", "head", {"p06": 2, "p07": 1}),
    ("two-factor authentication", "head", {"p07": 2}),
    ("transfer ownership", "head", {"p08": 2}),
    ("delete account", "head", {"p09": 2}),
    ("single sign-on saml", "head", {"p10": 2}),
    ("storage limit free plan", "head", {"p11": 2}),
    ("restore deleted file trash", "head", {"p12": 2}),
    ("version history", "head", {"p13": 2}),
    ("maximum upload size", "head", {"p14": 2}),
    ("share link password expiry", "head", {"p16": 2}),
    ("api rate limit", "head", {"p20": 2}),
    ("personal access token", "head", {"p21": 2}),
    ("webhooks retry", "head", {"p22": 2}),
    ("export audit logs", "head", {"p24": 2}),
    ("encryption at rest", "head", {"p15": 2}),
    ("my card was charged twice can I get money back", "tail", {"p02": 2}),
    ("workspace became read-only after payment failed", "tail", {"p04": 2}),
    ("reverse charge vat number", "tail", {"p05": 2}),
    ("sms codes for login", "tail", {"p07": 2}),
    ("undo closing my account", "tail", {"p09": 2}),
    ("buy more space for the team", "tail", {"p11": 2}),
    ("how long do removed files stay", "tail", {"p12": 2}),
    ("old versions disappear", "tail", {"p13": 2, "p12": 1}),
    ("upload stopped when wifi dropped", "tail", {"p14": 2}),
    ("bring your own key", "tail", {"p15": 2}),
    ("people outside the company comment", "tail", {"p17": 2}),
    ("subfolder narrower access", "tail", {"p18": 2}),
    ("link paused too many downloads", "tail", {"p19": 2}),
    ("quota headers 429", "tail", {"p20": 2}),
    ("keep only some folders on laptop", "tail", {"p23": 2}),
    ("who deleted this file", "tail", {"p24": 2}),
    ("identity provider setup", "tail", {"p10": 2}),
    ("new owner must accept", "tail", {"p08": 2}),
]

# (question, slice, gold answer text or None when the corpus does not hold the answer).
RAG_QUESTIONS = [
    ("When are invoices issued?", "billing", "Invoices are issued on the first day of each month."),
    (
        "How long do I have to request a refund?",
        "billing",
        "Refunds are available within 30 days of a charge.",
    ),
    (
        "How much is the discount on annual plans?",
        "billing",
        "Annual plans are billed once a year at a 20 percent discount.",
    ),
    (
        "How many times are failed payments retried?",
        "billing",
        "Failed payments are retried three times over nine days.",
    ),
    (
        "How is value added tax charged?",
        "billing",
        "Value added tax is charged according to the billing address.",
    ),
    ("Do you accept payment in cryptocurrency?", "billing", None),
    ("Can I get a discount for a non-profit organisation?", "billing", None),
    ("Is there a student price?", "billing", None),
    (
        "When does the password reset link expire?",
        "account",
        "The reset link expires after 60 minutes.",
    ),
    (
        "Which two-factor authentication methods are supported?",
        "account",
        "Two-factor authentication supports authenticator apps and hardware security keys.",
    ),
    (
        "How long does the new owner have to accept an ownership transfer?",
        "account",
        "The new owner must accept the transfer within seven days.",
    ),
    (
        "What happens to files when an account is deleted?",
        "account",
        "Deleting an account removes all files after a 14 day grace period.",
    ),
    (
        "Which plan includes SAML single sign-on?",
        "account",
        "Single sign-on with SAML is available on the Enterprise plan.",
    ),
    ("Can I change my username?", "account", None),
    ("Is there a mobile app for Android?", "account", None),
    ("How do I merge two accounts?", "account", None),
    (
        "How much storage does the Free plan include?",
        "storage",
        "The Free plan includes 5 GB of storage and the Team plan includes 2 TB per workspace.",
    ),
    (
        "How long do deleted files stay in the trash?",
        "storage",
        "Deleted files stay in the trash for 30 days.",
    ),
    (
        "How many versions of a file are kept?",
        "storage",
        "Version history keeps 100 versions of each file.",
    ),
    (
        "What is the largest file I can upload?",
        "storage",
        "The largest file you can upload is 50 GB.",
    ),
    (
        "How are files encrypted at rest?",
        "storage",
        "Files are encrypted at rest with AES-256 and in transit with TLS 1.3.",
    ),
    ("Which region are my files stored in?", "storage", None),
    ("Can I mount storage as a network drive?", "storage", None),
    ("Do you compress photos?", "storage", None),
    (
        "Can share links expire?",
        "sharing",
        "Share links can be protected with a password and an expiry date.",
    ),
    (
        "Can guests comment on shared folders?",
        "sharing",
        "Guests can view and comment on shared folders without an account.",
    ),
    (
        "Are folder permissions inherited by subfolders?",
        "sharing",
        "Folder permissions are inherited by subfolders.",
    ),
    (
        "When is a share link paused?",
        "sharing",
        "Download limits protect share links from abuse: a link is paused after 500 downloads in one day.",
    ),
    ("Can I embed a folder in a web page?", "sharing", None),
    ("Is there a QR code for links?", "sharing", None),
    (
        "What is the API rate limit?",
        "api",
        "The REST API is rate limited to 600 requests per minute per token.",
    ),
    (
        "When do personal access tokens expire?",
        "api",
        "Personal access tokens expire after 90 days.",
    ),
    (
        "How long are failed webhook deliveries retried?",
        "api",
        "Webhooks deliver file events within seconds and retry failed deliveries with exponential backoff for up to 24 hours.",
    ),
    (
        "Which operating systems does the sync client run on?",
        "api",
        "The sync client runs on Windows, macOS and Linux.",
    ),
    (
        "How long can admins export audit logs?",
        "api",
        "Enterprise admins can export audit logs as CSV for 365 days.",
    ),
    ("Is there a GraphQL endpoint?", "api", None),
    ("Do you have an official Rust SDK?", "api", None),
]


def corpus_and_queries() -> None:
    write(
        GOLDEN,
        CORPUS,
        "corpus.jsonl",
        jsonl([{"id": i, "area": a, "text": t} for i, a, t in PASSAGES]),
    )
    write(GOLDEN, SEARCH, "search.jsonl", jsonl([
        {"id": f"q{n:03d}", "slice": s, "query": q, "relevant": rel}
        for n, (q, s, rel) in enumerate(SEARCH_QUERIES, 1)
    ]))  # fmt: skip
    write(GOLDEN, RAG, "rag.jsonl", jsonl([
        {"id": f"r{n:03d}", "slice": s, "question": q, "answerable": gold is not None,
         **({"gold": gold} if gold else {})}
        for n, (q, s, gold) in enumerate(RAG_QUESTIONS, 1)
    ]))  # fmt: skip
    # Judge pairs: A is the candidate's answer, B the previous release's; humans labelled a
    # sample, and anchors are pairs whose verdict is not in doubt.
    rng = np.random.default_rng(202)
    pairs = []
    answered = [(q, s, g) for q, s, g in RAG_QUESTIONS if g]
    for n, (question, slice_, gold) in enumerate(answered * 2, 1):
        words = gold.rstrip(".").split()
        vague = " ".join(words[: max(3, len(words) // 2)]) + "."
        off_topic = "Please contact support for help with this question."
        kind = rng.choice(["better", "worse", "same"], p=[0.45, 0.3, 0.25])
        if kind == "better":
            a, b, truth = gold, (vague if rng.random() < 0.6 else off_topic), "a"
        elif kind == "worse":
            a, b, truth = (vague if rng.random() < 0.6 else off_topic), gold, "b"
        else:
            a = b = gold
            truth = "tie"
        row: dict[str, object] = {"id": f"j{n:03d}", "slice": slice_, "question": question,
                                  "answer_a": a, "answer_b": b, "reference": gold}  # fmt: skip
        if n % 2 == 0 or n <= 10:
            # Human raters agree with the evident verdict most of the time.
            row["human"] = truth if rng.random() < 0.9 else str(rng.choice(["a", "b", "tie"]))
        if n % 4 == 0 and off_topic in (a, b):
            row["anchor"] = truth  # one answer is off topic: the verdict is not in doubt
        pairs.append(row)
    write(GOLDEN, RAG, "judge_pairs.jsonl", jsonl(pairs))


def bandit() -> None:
    """Logged bandit data: 4 offers, epsilon-greedy (0.3) logging on a stale rule."""
    rng = np.random.default_rng(303)
    true_coef = np.array(
        [[-1.0, 0.8, -0.2], [-0.6, -0.5, 0.9], [-1.2, 0.3, 0.3], [-0.9, -0.9, -0.4]]
    )

    def log(n: int, prefix: str) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for i in range(n):
            device = "mobile" if rng.random() < 0.55 else "desktop"
            x = np.array(
                [1.0, rng.normal(0.5 if device == "mobile" else -0.3, 1), rng.normal(0, 1)]
            )
            stale = 0 if x[1] > 0 else 3  # the old rule: two offers, one feature
            dist = np.full(4, 0.3 / 4)
            dist[stale] += 0.7
            action = int(rng.choice(4, p=dist))
            p_reward = 1 / (1 + np.exp(-(true_coef[action] @ x)))
            rows.append({"id": f"{prefix}{i:04d}", "slice": device,
                         "context": [round(float(v), 4) for v in x[1:]], "action": action,
                         "propensity": float(dist[action]), "propensities": dist.tolist(),
                         "reward": int(rng.random() < p_reward)})  # fmt: skip
        return rows

    write(DATA, RL, "bandit_train.jsonl", jsonl(log(1000, "t")))
    write(GOLDEN, RL, "bandit_log.jsonl", jsonl(log(500, "l")))


def requests() -> None:
    """Six hours of a load test against three routes, one request row each."""
    rng = np.random.default_rng(404)
    start = date(2024, 5, 6)
    routes = {"predict": (45, 0.0015), "batch": (180, 0.002), "health": (3, 0.0)}
    rows: list[list[object]] = []
    for i in range(1800):
        route = str(rng.choice(list(routes), p=[0.7, 0.2, 0.1]))
        median, error_rate = routes[route]
        latency = float(median * rng.lognormal(0, 0.35))
        status = 503 if rng.random() < error_rate else (429 if rng.random() < 0.003 else 200)
        seconds = int(i * 12 + rng.integers(0, 12))
        stamp = f"{start.isoformat()}T{seconds // 3600 + 8:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+00:00"
        rows.append([stamp, route, status, round(latency, 1)])
    write(
        GOLDEN,
        PLATFORM,
        "requests.csv",
        csv_text(["timestamp", "slice", "status", "latency_ms"], rows),
    )


def edge_inputs() -> None:
    """Sensor feature vectors as the device sees them: typical and saturated readings."""
    rng = np.random.default_rng(505)
    rows: list[list[object]] = []
    for i in range(200):
        slice_ = "saturated" if i % 4 == 0 else "typical"
        x = rng.normal(0, 1, 16) if slice_ == "typical" else np.clip(rng.normal(0, 3, 16), -4, 4)
        rows.append([f"s{i:03d}", slice_, *[round(float(v), 4) for v in x]])
    write(
        GOLDEN,
        EDGE,
        "edge_inputs.csv",
        csv_text(["id", "slice", *[f"x{i}" for i in range(16)]], rows),
    )


def detection() -> None:
    """32x32 grayscale scenes with crates (squares) and poles (tall bars), day and night."""
    rng = np.random.default_rng(606)
    rows: list[dict[str, Any]] = []
    for i in range(120):
        night = i % 3 == 0
        size = 32
        image = rng.normal(40 if night else 90, 6 if night else 10, (size, size))
        boxes: list[dict[str, Any]] = []
        for _ in range(int(rng.integers(1, 4))):
            cls = "pole" if rng.random() < 0.4 else "crate"
            h, w = (int(rng.integers(9, 14)), int(rng.integers(2, 4))) if cls == "pole" else (
                int(rng.integers(4, 8)), int(rng.integers(4, 8)))  # fmt: skip
            y, x = int(rng.integers(0, size - h)), int(rng.integers(0, size - w))
            box = [x, y, x + w, y + h]
            if any(not (box[2] + 1 < b[0] or b[2] + 1 < box[0] or box[3] + 1 < b[1] or b[3] + 1 < box[1])
                   for b in (o["box"] for o in boxes)):  # fmt: skip
                continue  # keep objects apart so each is one blob
            brightness = rng.uniform(45, 90) if night else rng.uniform(80, 150)
            image[y : y + h, x : x + w] += brightness
            boxes.append({"class": cls, "box": box})
        pixels = np.clip(np.round(image), 0, 255).astype(np.uint8)
        rows.append({"id": f"img{i:03d}", "slice": "night" if night else "day", "height": size,
                     "width": size, "image": base64.b64encode(pixels.tobytes()).decode(),
                     "boxes": boxes})  # fmt: skip
    write(GOLDEN, VISION, "detection.jsonl", jsonl(rows))


def main() -> None:
    classification()
    detection()
    edge_inputs()
    requests()
    bandit()
    corpus_and_queries()


if __name__ == "__main__":
    main()
