#!/usr/bin/python3
"""PyTorch eager's training step on the shape bench/model-step.sh times, for a side-by-side on the same machine.

transformers is not packaged by Debian 12 and PyPI is not reachable here, so this is BertForSequenceClassification
written in plain torch.nn as transformers' modeling_bert.py computes it in eager mode (post-LayerNorm encoder,
exact GELU, dropout 0.1 on embeddings, attention probabilities and both residual branches, tanh pooler,
classifier dropout, cross-entropy), with transformers' Trainer defaults for the step: torch.optim.AdamW
(lr 5e-5, weight decay 0.01 except biases and LayerNorm weights) and clip_grad_norm_(1.0).
Usage: /usr/bin/python3 bench/pytorch-eager-step.py [BATCH [TOKENS [STEPS [CONFIG_JSON]]]]  (Debian's python3-torch)
"""
import json, math, statistics, sys, time
import torch
from torch import nn

args = sys.argv[1:]
batch = int(args[0]) if len(args) > 0 else 8
length = int(args[1]) if len(args) > 1 else 64
steps = int(args[2]) if len(args) > 2 else 6
cfg = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
           intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12,
           hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
if len(args) > 3:
    cfg.update(json.load(open(args[3])))
torch.set_num_threads(2)
torch.manual_seed(42)
H, heads, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
p_hidden, p_attn = cfg["hidden_dropout_prob"], cfg["attention_probs_dropout_prob"]


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value, self.attn_out = (nn.Linear(H, H) for _ in range(4))
        self.attn_norm = nn.LayerNorm(H, eps=eps)
        self.inter = nn.Linear(H, cfg["intermediate_size"])
        self.out = nn.Linear(cfg["intermediate_size"], H)
        self.out_norm = nn.LayerNorm(H, eps=eps)
        self.drop_h, self.drop_a = nn.Dropout(p_hidden), nn.Dropout(p_attn)

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, heads, H // heads).permute(0, 2, 1, 3)

    def forward(self, x, mask_bias):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(H // heads) + mask_bias
        probs = self.drop_a(nn.functional.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(x.shape)
        x = self.attn_norm(self.drop_h(self.attn_out(ctx)) + x)
        return self.out_norm(self.drop_h(self.out(nn.functional.gelu(self.inter(x)))) + x)


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(cfg["vocab_size"], H, padding_idx=0)
        self.position = nn.Embedding(cfg["max_position_embeddings"], H)
        self.token_type = nn.Embedding(cfg["type_vocab_size"], H)
        self.emb_norm, self.drop = nn.LayerNorm(H, eps=eps), nn.Dropout(p_hidden)
        self.layers = nn.ModuleList(Layer() for _ in range(cfg["num_hidden_layers"]))
        self.pooler, self.classifier = nn.Linear(H, H), nn.Linear(H, 2)

    def forward(self, ids, types, mask):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.drop(self.emb_norm(self.word(ids) + self.position(positions) + self.token_type(types)))
        mask_bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, mask_bias)
        return self.classifier(self.drop(torch.tanh(self.pooler(x[:, 0]))))


model = Bert().train()
no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "norm" in n]
decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "norm" in n)]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=5e-5)
print(f"PyTorch {torch.__version__} eager, {torch.get_num_threads()} threads, BLAS: "
      + next((l.strip() for l in torch.__config__.show().splitlines() if "BLAS_INFO" in l), "?"))
times, fb = [], []
for s in range(-2, steps):
    ids = torch.randint(1, cfg["vocab_size"], (batch, length))
    types, mask = torch.zeros_like(ids), torch.ones_like(ids)
    labels = torch.randint(0, 2, (batch,))
    t0 = time.perf_counter()
    loss = nn.functional.cross_entropy(model(ids, types, mask), labels)
    loss.backward()
    t1 = time.perf_counter()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad()
    t2 = time.perf_counter()
    if s >= 0:
        times.append(t2 - t0)
        fb.append(t1 - t0)
print("forward+backward " + " ".join(f"{t:.2f}" for t in fb) + " s; whole step " + " ".join(f"{t:.2f}" for t in times) + " s")
print(f"best whole step: {min(times):.3f} s; median {statistics.median(times):.3f} s")
