package dev.finetune.trainer.data;

import dev.finetune.api.DatasetSource;
import dev.finetune.api.TaskSpec;
import dev.finetune.api.TrainingSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The train and eval splits of a local dataset, read, checked and tokenised before training starts: both files
 * are read before anything is tokenised, so a bad row in either fails fast.
 *
 * @param train the train split, tokenised
 * @param eval the eval split, tokenised; empty when {@code spec.dataset.evalSplit} is not set
 * @param padTokenId the tokenizer's pad id, for padding batches
 */
public record TrainingData(List<EncodedExample> train, List<EncodedExample> eval, int padTokenId) {
    public TrainingData {
        train = immutable(train);
        eval = immutable(eval);
    }

    /**
     * Reads the splits of {@code location} (a folder of split files, or one file for train only) and tokenises
     * them with {@code modelDir}'s tokenizer, holding every row in the heap: for small data (tests, benchmarks).
     */
    public static TrainingData load(Path location, DatasetSource source, TaskSpec task, Path modelDir) throws IOException {
        List<Example> trainRows = DatasetReader.read(DatasetSplits.trainFile(location, source), source, task);
        Optional<Path> evalFile = DatasetSplits.evalFile(location, source);
        List<Example> evalRows = evalFile.isPresent() ? DatasetReader.read(evalFile.get(), source, task) : List.of();
        try (PairTokenizer tokenizer = PairTokenizer.fromModelDir(modelDir, task.maxLength)) {
            return new TrainingData(tokenizer.encode(trainRows), tokenizer.encode(evalRows), tokenizer.padTokenId());
        }
    }

    /**
     * As {@link #load(Path, DatasetSource, TaskSpec, Path)}, but the splits are tokenised as they are read into
     * {@code cache} and memory-mapped from there, so the heap does not grow with the rows and a restart with the
     * same data, tokenizer and task reuses them without tokenising.
     */
    public static TrainingData load(Path location, DatasetSource source, TaskSpec task, Path modelDir, TokenizedCache cache)
            throws IOException {
        return load(location, source, task, modelDir, null, cache);
    }

    /** As above; splits of pre-tokenised rows (an input_ids column) are checked against {@code model} and need no tokenizer. */
    public static TrainingData load(Path location, DatasetSource source, TaskSpec task, Path modelDir, ModelInputs model,
            TokenizedCache cache) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(DatasetSplits.trainFile(location, source));
        DatasetSplits.evalFile(location, source).ifPresent(files::add);
        List<TokenizedRows> rows = cache.load(files, source == null ? null : source.format, task, modelDir, model);
        List<EncodedExample> eval = rows.size() > 1 ? rows.get(1) : List.of();
        return new TrainingData(rows.get(0), eval, rows.get(0).padTokenId());
    }

    public TrainBatches trainBatches(TrainingSpec training) {
        return new TrainBatches(train, training.perDeviceTrainBatchSize, training.seed, padTokenId);
    }

    public EvalBatches evalBatches(TrainingSpec training) {
        return new EvalBatches(eval, training.perDeviceEvalBatchSize, padTokenId);
    }

    /** {@code rows} as an immutable list: memory-mapped rows as they are (copying would load them all), others copied. */
    static List<EncodedExample> immutable(List<EncodedExample> rows) {
        return rows instanceof TokenizedRows ? rows : List.copyOf(rows);
    }
}
