"""PyTorch side of the W1 benchmark (MLP 784-256-128-10, ReLU, softmax
cross-entropy, Adam 1e-3, batch 128, synthetic MNIST-shaped data), in the
configuration bench/run.sh gives it: torch.set_num_threads(cores), one
OpenBLAS thread, tcmalloc preloaded. Prints the same lines as bench_w1.
Usage: /usr/bin/python3 bench/torch_w1.py [seconds] [threads]"""
import sys
import time

import torch

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
n = 128 * 64
x = torch.rand(n, 784)
y = torch.randint(0, 10, (n,))
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                            torch.nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()


def epoch():
    perm = torch.randperm(n)
    for i in range(0, n, 128):
        idx = perm[i:i + 128]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()


epoch()
samples, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < secs:
    epoch()
    samples += n
print("torch w1 train samples_per_s=%.0f" % (samples / (time.perf_counter() - t0)))

with torch.inference_mode():
    samples, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < secs:
        for i in range(0, n, 128):
            torch.softmax(model(x[i:i + 128]), dim=1)
        samples += n
    print("torch w1 predict128 samples_per_s=%.0f" % (samples / (time.perf_counter() - t0)))
    x1 = x[:1].clone()
    calls, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < secs:
        torch.softmax(model(x1), dim=1)
        calls += 1
    print("torch w1 predict1 latency_ms=%.4f" % ((time.perf_counter() - t0) * 1e3 / calls))
