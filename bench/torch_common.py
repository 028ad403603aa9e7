"""Shared by the PyTorch sides of the benchmarks: training and prediction
rates measured the way bench_w1.c and bench_cnn.c measure neurona's (Adam
1e-3 with Keras's epsilon, shuffled epochs, one warm-up epoch, steady state
over a time budget)."""
import time

import torch


def train_rate(model, loss_fn, x, y, batch, secs):
    """Training samples per second over whole epochs of (x, y)."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    n = x.shape[0]

    def epoch():
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()

    epoch()
    samples, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < secs:
        epoch()
        samples += n
    return samples / (time.perf_counter() - t0)


def predict_rates(model, x, secs):
    """Batch-128 prediction samples per second and batch-1 latency in ms
    (softmax outputs, inference mode)."""
    n = x.shape[0]
    with torch.inference_mode():
        samples, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < secs:
            for i in range(0, n, 128):
                torch.softmax(model(x[i:i + 128]), dim=1)
            samples += n
        rate = samples / (time.perf_counter() - t0)
        x1 = x[:1].clone()
        calls, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < secs:
            torch.softmax(model(x1), dim=1)
            calls += 1
        return rate, (time.perf_counter() - t0) * 1e3 / calls
