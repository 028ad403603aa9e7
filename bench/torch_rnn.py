"""PyTorch side of the recurrent benchmarks (W3; see bench_rnn.c), in the
configuration bench/run.sh gives it: torch.set_num_threads(cores), one
OpenBLAS thread, tcmalloc preloaded. nn.LSTM/nn.GRU with batch_first,
the last step's output into Linear(units, 1). Prints the same lines as
bench_rnn.
Usage: /usr/bin/python3 bench/torch_rnn.py [seconds] [threads] [workload...]"""
import sys
import torch
from torch import nn

from torch_common import train_rate

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
chosen = sys.argv[3:] or ["lstm32", "lstm128", "gru64"]
torch.set_num_threads(threads)
torch.manual_seed(0)


class Last(nn.Module):
    def __init__(self, rnn, units):
        super().__init__()
        self.rnn, self.out = rnn, nn.Linear(units, 1)

    def forward(self, x):
        return self.out(self.rnn(x)[0][:, -1])


def w3(name, cell, units):
    model = Last(cell(1, units, batch_first=True), units)
    n = 64 * 32
    x, y = torch.rand(n, 24, 1), torch.rand(n, 1)
    print("torch w3 %s samples_per_s=%.0f" % (name, train_rate(model, nn.MSELoss(), x, y, 64, secs)))


workloads = {"lstm32": (nn.LSTM, 32), "lstm128": (nn.LSTM, 128), "gru64": (nn.GRU, 64)}
for w in chosen:
    w3(w, *workloads[w])
