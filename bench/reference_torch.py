# PyTorch reference of the bench's training step (src/bench/step.ts trainStep, configs of
# src/bench/bench.ts TRAIN_SPECS): the same GPT-2 as src/model/gpt.ts (pre-LN, causal MHA with an
# additive -1e9 mask, GELU tanh MLP 4x, final LN, head tied to wte, vocab 103; parameter counts
# equal; the init of src/model/params.ts: N(0, 0.02), residual projections 0.02/sqrt(2L), zero biases),
# a batch of random tokens with loss on every position, the same AdamW step (lr 3e-3 held constant:
# the schedule costs nothing; betas 0.9/0.99, eps 1e-8, wd 0.1 on the linear weights only, clip 1.0)
# and a read of the loss every step (a sync). Eager fp32: no torch.compile, no CUDA graphs. On CUDA it
# also counts kernels per step (torch.profiler). `reasonlab bench` runs it with --json (src/bench/torchref.ts).
# Install the CPU version on Debian/Ubuntu with: apt-get install -y python3-torch
# Usage: python3 bench/reference_torch.py [--devices cuda,cpu,cpu16,cpu1] [--configs nano,ref-4x128]
#          [--steps 50] [--budget 10] [--warmup 5] [--out DIR] [--json]   (cpu = torch's default threads)
import argparse, json, math, os, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB = 103
SPECS = {
    "nano": dict(L=3, H=3, C=48, block=64, B=32, T=64),
    "micro": dict(L=4, H=4, C=128, block=64, B=32, T=64),
    "ref-2x64": dict(L=2, H=4, C=64, block=64, B=32, T=64),
    "ref-4x128": dict(L=4, H=4, C=128, block=128, B=32, T=128),
}


class Block(nn.Module):
    def __init__(self, C, H):
        super().__init__()
        self.H = H
        self.ln_1 = nn.LayerNorm(C)
        self.c_attn = nn.Linear(C, 3 * C)
        self.attn_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.H, C // self.H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // self.H)) + mask[:T, :T]
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.attn_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, L, H, C, block):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, C)
        self.wpe = nn.Embedding(block, C)
        self.h = nn.ModuleList([Block(C, H) for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)
        m = torch.full((block, block), -1e9).triu(1)
        self.register_buffer("mask", m)
        for name, p in self.named_parameters():
            if name.endswith(("attn_proj.weight", "mlp_proj.weight")):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * L))
            elif p.dim() >= 2:
                nn.init.normal_(p, std=0.02)
            elif name.startswith("h.") and name.endswith(".bias"):
                nn.init.zeros_(p)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T, device=idx.device))
        for b in self.h:
            x = b(x, self.mask)
        return self.ln_f(x) @ self.wte.weight.t()


def run(spec_id, device, threads, steps, budget, warmup):
    s = SPECS[spec_id]
    dev = torch.device(device)
    if dev.type == "cpu":
        torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = GPT(s["L"], s["H"], s["C"], s["block"]).to(dev)
    nparams = sum(p.numel() for p in model.parameters())
    # Like src/model/params.ts: the linear weights decay; embeddings, biases and LayerNorm do not.
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and n.startswith("h.")]
    nodecay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and n.startswith("h."))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}], lr=3e-3, betas=(0.9, 0.99), eps=1e-8)
    g = torch.Generator().manual_seed(2)
    x = torch.randint(0, VOCAB, (s["B"], s["T"]), generator=g).to(dev)
    y = torch.randint(0, VOCAB, (s["B"], s["T"]), generator=g).to(dev)
    mask = torch.ones(s["B"], s["T"], device=dev)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        nll = F.cross_entropy(logits.view(-1, VOCAB), y.view(-1), reduction="none")
        loss = (nll * mask.view(-1)).sum() / mask.sum().clamp(min=1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    times = []
    t_start = time.perf_counter()
    # At least 3 steps; stop at --steps or when the next step would overrun the budget.
    while len(times) < steps and (len(times) < 3 or time.perf_counter() - t_start + times[-1] <= budget):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times) * 1000
    r = dict(impl="pytorch", device=device + (f"/{threads}t" if dev.type == "cpu" else ""), config=spec_id, params=nparams, steps=len(times),
             msMedian=med, msMin=min(times) * 1000, tokensPerS=s["B"] * s["T"] / (med / 1000), kernelsPerStep=None, cudaKernelMsPerStep=None)
    if dev.type == "cuda":
        try:
            from torch.profiler import profile, ProfilerActivity
            with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
                step()
                torch.cuda.synchronize()
            kern = [e for e in prof.events() if getattr(e, "device_type", None) == torch.autograd.DeviceType.CUDA]
            real = [e for e in kern if not e.name.startswith(("Memcpy", "Memset"))]
            r["kernelsPerStep"] = len(real)
            r["cudaEventsPerStep"] = len(kern)
            r["cudaKernelMsPerStep"] = sum(e.time_range.elapsed_us() for e in real) / 1000
        except Exception as e:  # profiler trouble must not lose the timings
            r["profileError"] = repr(e)
    print(json.dumps(r), flush=True)
    return r


def main():
    ap = argparse.ArgumentParser(description="PyTorch reference of the reasonlab bench training step")
    ap.add_argument("--out", default=None, help="folder for reference_torch.json (default: . , none with --json)")
    ap.add_argument("--json", action="store_true", help="stdout: JSON lines only (a header, then one object per run), no table")
    ap.add_argument("--devices", default="cuda,cpu", help="cuda, cpu (default threads) or cpuN (N threads), comma-separated")
    ap.add_argument("--configs", default="nano,micro,ref-2x64,ref-4x128")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--budget", type=float, default=10)
    ap.add_argument("--warmup", type=int, default=5)
    a = ap.parse_args()
    for c in a.configs.split(","):
        if c not in SPECS:
            ap.error(f"--configs: unknown config '{c}' (known: {', '.join(SPECS)})")
    devices, default_threads = [], torch.get_num_threads()  # read before any set_num_threads
    for d in a.devices.split(","):
        if d == "cuda":
            devices.append((d, 0))
        elif d == "cpu":
            devices.append((d, default_threads))
        elif d.startswith("cpu") and d[3:].isdigit() and int(d[3:]) > 0:
            devices.append(("cpu", int(d[3:])))
        else:
            ap.error(f"--devices: unknown device '{d}' (use cuda, cpu or cpuN, e.g. cpu16)")
    out = a.out if a.out is not None else (None if a.json else ".")
    if out:
        os.makedirs(out, exist_ok=True)
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    if a.json:
        # OPENBLAS_CORETYPE pins OpenBLAS's kernel (some machines set it); it changes CPU speed a lot.
        print(json.dumps(dict(torch=torch.__version__, cuda=gpu, defaultThreads=default_threads, openblasCoretype=os.environ.get("OPENBLAS_CORETYPE"))), flush=True)
    else:
        print(f"torch {torch.__version__} cuda_available={gpu is not None}" + (f" {gpu}" if gpu else ""), flush=True)
    rows = []
    for device, threads in devices:
        if device == "cuda" and gpu is None:
            print(json.dumps(dict(device="cuda", error="cuda not available, skipped")) if a.json else "cuda not available, skipped", flush=True)
            continue
        for c in a.configs.split(","):
            try:
                rows.append(run(c, device, threads, a.steps, a.budget, a.warmup))
            except Exception as e:
                print(json.dumps(dict(device=device, config=c, error=repr(e))) if a.json else f"ERROR {device} {c}: {e!r}", flush=True)
            if out:
                with open(os.path.join(out, "reference_torch.json"), "w") as f:
                    json.dump(rows, f, indent=1)
    if a.json:
        return
    print("| impl | device | config | params | steps | ms/step median | ms/step min | tokens/s | CUDA kernels/step | CUDA kernel ms/step |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        km = r.get("cudaKernelMsPerStep")
        print(f"| pytorch | {r['device']} | {r['config']} | {r['params']} | {r['steps']} | {r['msMedian']:.2f} | {r['msMin']:.2f} | {r['tokensPerS']:.0f} | {r.get('kernelsPerStep') or '-'} | {'-' if km is None else f'{km:.2f}'} |")


if __name__ == "__main__":
    main()
