/* neurona, the command-line tool: dispatches to a subcommand (one file
 * each), and answers --help and --version itself. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
} command;

static const command commands[] = {
    {"train", cmd_train, "train the model a SPEC file defines, on CSV, IDX or image data"},
    {"summary", cmd_summary, "print the layers and parameter counts of a SPEC or model file"},
    {"evaluate", cmd_evaluate, "compute the loss and metrics of a saved model on labelled data"},
    {"predict", cmd_predict, "write a saved model's predictions for new data as CSV"},
    {"prep", cmd_prep, "prepare a CSV file: fill or drop missing values, bins, one-hot, normalize"},
    {"metrics", cmd_metrics, "judge predictions made anywhere: classification report, ROC AUC, regression errors"},
    {"forecast", cmd_forecast, "score a saved series model on a series' test part against naive baselines"},
    {"images", cmd_images, "draw images of a data set as a grid in a PNG file"},
    {"filters", cmd_filters, "draw a saved model's convolution kernels as a grid in a PNG file"},
    {"describe", cmd_describe, "statistics, outliers, correlations and plots of a CSV file's columns"},
    {"history", cmd_history, "draw the learning curves of a training run from its History CSV"},
    {"neuron", cmd_neuron, "run a classic neuron (McCulloch-Pitts, perceptron, ADALINE, ...) step by step"},
    {"convert", cmd_convert, "convert a model between neurona's files and Keras's .keras, .h5, .weights.h5, .json"},
    {"gan", cmd_gan, "train a GAN (generator, discriminator, combined model) with sample grids and step losses"},
    {"vae", cmd_vae, "train a variational autoencoder, plot its latent space and decode a grid of it"},
    {"tune", cmd_tune, "search a SPEC's hyperparameters: random, grid, Bayesian optimization, Hyperband"},
    {"reconstruct", cmd_reconstruct, "an autoencoder's test reconstruction loss and a grid of its reconstructions"},
    {"anomaly", cmd_anomaly, "anomaly detection by an autoencoder's reconstruction error: threshold, F1, PR-AUC"},
};
#define N_COMMANDS ((int)(sizeof commands / sizeof *commands))

static void print_help(void) {
    printf("Usage: neurona COMMAND [ARGS...]\n"
           "       neurona COMMAND --help\n"
           "       neurona --version\n\n"
           "Keras-style deep learning from the command line: models are SPEC files\n"
           "written in Keras call syntax, data are CSV files (tables or time series),\n"
           "MNIST-style IDX files or folders of PNG/JPEG images.\n\n"
           "Commands:\n");
    for (int i = 0; i < N_COMMANDS; i++) printf("  %-11s  %s\n", commands[i].name, commands[i].what);
    printf("\nOptions:\n"
           "  -h, --help      show this help and exit\n"
           "  --version       print the version and exit\n\n"
           "Exit status: 0 success, 1 failure (bad data, SPEC or model file), 2 usage error.\n"
           "Environment: NEURONA_NUM_THREADS sets the number of threads (default: all cores).\n\n"
           "Example:\n"
           "  neurona train examples/iris_mlp.nr --data data/iris.csv --target species \\\n"
           "      --test-split 0.2 --out iris.nrm\n"
           "  neurona predict iris.nrm --data data/iris.csv --target species\n");
}

static int unknown_command(const char *name) {
    const char *names[N_COMMANDS];
    for (int i = 0; i < N_COMMANDS; i++) names[i] = commands[i].name;
    const char *best = cli_closest(name, names, N_COMMANDS);
    if (best) return cli_usage(NULL, "unknown command '%s'; did you mean '%s'?", name, best);
    return cli_usage(NULL,
                     "unknown command '%s'; commands are train, summary, evaluate, predict, prep, metrics, forecast, "
                     "images, filters, describe, history, neuron, convert, gan, vae, tune, reconstruct, anomaly",
                     name);
}

int main(int argc, char **argv) {
    if (argc < 2) return cli_usage(NULL, "missing command");
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 && argc > 2) {   /* "neurona help train" */
        char help[] = "--help", *args[2] = {argv[2], help};
        for (int i = 0; i < N_COMMANDS; i++)
            if (strcmp(argv[2], commands[i].name) == 0) return commands[i].run(2, args);
        return unknown_command(argv[2]);
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        print_help();
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("neurona %s (OpenBLAS %s, %d threads)\n", nr_version(), nr_blas_corename(), nr_num_threads());
        return CLI_EXIT_OK;
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    if (cmd[0] == '-') return cli_usage(NULL, "unknown option '%s'", cmd);
    return unknown_command(cmd);
}
