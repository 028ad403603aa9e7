"""PyTorch side of the convolutional benchmarks (W2, W4, W5; see
bench_cnn.c for the definitions), in the configuration bench/run.sh gives
it: torch.set_num_threads(cores), one OpenBLAS thread, tcmalloc preloaded.
Models are channels-last in Keras but NCHW here, PyTorch's fast layout.
Prints the same lines as bench_cnn.
Usage: /usr/bin/python3 bench/torch_cnn.py [seconds] [threads] [workload...]"""
import sys
import torch
from torch import nn

from torch_common import predict_rates, train_rate

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
chosen = sys.argv[3:] or ["w2", "w4", "w5"]
torch.set_num_threads(threads)
torch.manual_seed(0)


def w2():
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 16, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10))
    n = 128 * 16
    x = torch.rand(n, 1, 28, 28)
    y = torch.randint(0, 10, (n,))
    ce = nn.CrossEntropyLoss()
    print("torch w2 train64 samples_per_s=%.0f" % train_rate(model, ce, x, y, 64, secs))
    print("torch w2 train128 samples_per_s=%.0f" % train_rate(model, ce, x, y, 128, secs))
    rate, latency = predict_rates(model, x, secs)
    print("torch w2 predict128 samples_per_s=%.0f" % rate)
    print("torch w2 predict1 latency_ms=%.4f" % latency)


def w4():
    def conv(i, o, pad=1, act=nn.ReLU):
        return [nn.Conv2d(i, o, 3, padding=pad), act()]
    model = nn.Sequential(*conv(1, 16), nn.MaxPool2d(2), *conv(16, 8), nn.MaxPool2d(2), *conv(8, 8),
                          nn.MaxPool2d(2, ceil_mode=True), *conv(8, 8), nn.Upsample(scale_factor=2),
                          *conv(8, 8), nn.Upsample(scale_factor=2), *conv(8, 16, pad=0), nn.Upsample(scale_factor=2),
                          *conv(16, 1, act=nn.Sigmoid))
    x = torch.rand(128 * 8, 1, 28, 28)
    print("torch w4 train128 samples_per_s=%.0f" % train_rate(model, nn.BCELoss(), x, x, 128, secs))


def w5():
    model = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                          nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4096, 512), nn.ReLU(), nn.Linear(512, 10))
    n = 64 * 8
    x = torch.rand(n, 3, 32, 32)
    y = torch.randint(0, 10, (n,))
    print("torch w5 train64 samples_per_s=%.0f" % train_rate(model, nn.CrossEntropyLoss(), x, y, 64, secs))


for w in chosen:
    globals()[w]()
