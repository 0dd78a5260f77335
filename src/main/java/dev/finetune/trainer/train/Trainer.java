package dev.finetune.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.finetune.api.TrainingSpec;
import dev.finetune.trainer.data.Batch;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop with the Hugging Face Trainer's semantics, driven by a {@link TrainingSpec} (its
 * TrainingArguments): step counting, gradient accumulation, AdamW, the schedule, global-norm clipping,
 * logging / evaluation / save strategies, best metric and early stopping, and the Trainer's log lines.
 *
 * <p>Determinism and resume: the model is initialised by its own seed, the batch order is a function of
 * (seed, epoch) (see {@link TrainBatchSource}), and dropout draws from the engine's RNG reseeded before every
 * forward pass from (seed, global step, micro-batch). So a run continued from a {@link TrainingSnapshot}
 * (plus the checkpoint's weights, loaded into the model by the caller) computes what the uninterrupted run
 * would have, without saving any RNG state.
 */
public final class Trainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final SequenceClassifier model;
    private final TrainingSpec args;
    private final TrainBatchSource trainData;
    private final EvalBatchSource evalData;
    private final TrainingSteps steps;
    private final LearningRateSchedule schedule;
    private final BestMetricTracker bestMetric;
    private TaskObjective objective = new SingleLabelObjective();
    private Evaluator evaluator;
    private final LinkedHashMap<String, NDArray> parameters;
    private final AdamW optimizer;
    /** fp16's dynamic loss scale; null in float32. */
    private GradScaler scaler;
    private final int evalSteps;
    private final List<TrainerCallback> callbacks = new ArrayList<>();
    private CheckpointSaver saver;
    private StopRequest stopRequest = new StopRequest();
    private PrintStream out = System.out;
    private boolean progressBar = true;
    private TrainerState state;
    private BatchPrefetcher prefetcher;

    /** {@code evalData} may be null when evalStrategy is "no". */
    public Trainer(SequenceClassifier model, TrainingSpec args, TrainBatchSource trainData, EvalBatchSource evalData) {
        this.model = Objects.requireNonNull(model, "model");
        this.args = Objects.requireNonNull(args, "args");
        this.trainData = Objects.requireNonNull(trainData, "trainData");
        this.evalData = evalData;
        checkStrategy("evalStrategy", args.evalStrategy);
        checkStrategy("saveStrategy", args.saveStrategy);
        positive("loggingSteps", args.loggingSteps);
        positive("perDeviceTrainBatchSize", args.perDeviceTrainBatchSize);
        if ("steps".equals(args.saveStrategy)) {
            positive("saveSteps", args.saveSteps);
        }
        if (!"no".equals(args.evalStrategy) && evalData == null) {
            throw new IllegalArgumentException("spec.training.evalStrategy is '" + args.evalStrategy
                    + "' but the job has no evaluation split");
        }
        if (args.earlyStoppingPatience != null && "no".equals(args.evalStrategy)) {
            throw new IllegalArgumentException("spec.training.earlyStoppingPatience needs evaluations: set evalStrategy to steps or epoch");
        }
        if (args.learningRate == null || args.learningRate < 0) {
            throw new IllegalArgumentException("spec.training.learningRate must be >= 0");
        }
        this.evalSteps = args.evalSteps == null || args.evalSteps == 0 ? args.loggingSteps : args.evalSteps;
        this.steps = TrainingSteps.of(args, trainData.batchesPerEpoch());
        this.schedule = LearningRateSchedule.of(args, steps.maxSteps());
        this.bestMetric = BestMetricTracker.of(args);
        this.evaluator = new Evaluator(model);
        this.parameters = model.namedParameters();
        this.optimizer = AdamW.of(parameters, args);
        this.scaler = Boolean.TRUE.equals(args.fp16) ? new GradScaler() : null;
    }

    private static void checkStrategy(String field, String value) {
        if (!"no".equals(value) && !"steps".equals(value) && !"epoch".equals(value)) {
            throw new IllegalArgumentException("spec.training." + field + " must be no, steps or epoch, not '" + value + "'");
        }
    }

    private static void positive(String field, Integer value) {
        if (value == null || value < 1) {
            throw new IllegalArgumentException("spec.training." + field + " must be >= 1, got " + value);
        }
    }

    /** The task's loss and metrics; single-label classification unless told. */
    public Trainer withObjective(TaskObjective taskObjective) {
        this.objective = Objects.requireNonNull(taskObjective, "taskObjective");
        this.evaluator = new Evaluator(model, taskObjective);
        return this;
    }

    public Trainer addCallback(TrainerCallback callback) {
        callbacks.add(callback);
        return this;
    }

    /** Where checkpoints go; without one, save points are skipped. */
    public Trainer withCheckpointSaver(CheckpointSaver checkpointSaver) {
        this.saver = checkpointSaver;
        return this;
    }

    /** Polled after each step: when requested, the loop saves a checkpoint and throws {@link TrainingStopped}. */
    public Trainer withStopRequest(StopRequest request) {
        this.stopRequest = Objects.requireNonNull(request, "request");
        return this;
    }

    /** fp16's loss scaler, for other settings than torch.amp.GradScaler's defaults. */
    public Trainer withGradScaler(GradScaler gradScaler) {
        if (scaler == null) {
            throw new IllegalStateException("a GradScaler needs spec.training.fp16");
        }
        this.scaler = Objects.requireNonNull(gradScaler, "gradScaler");
        return this;
    }

    /** fp16's loss scaler; null in float32. */
    public GradScaler gradScaler() {
        return scaler;
    }

    /** Where the start-up block and the dict log lines are printed (stdout by default). */
    public Trainer withOutput(PrintStream output) {
        this.out = output;
        return this;
    }

    /** The progress bar on stderr; it also stays off when stderr is no terminal. */
    public Trainer withProgressBar(boolean enabled) {
        this.progressBar = enabled;
        return this;
    }

    public TrainingSteps steps() {
        return steps;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public Evaluator evaluator() {
        return evaluator;
    }

    /** The state of the current or last run; null before {@link #train}. */
    public TrainerState state() {
        return state;
    }

    /**
     * Trains to maxSteps (or until early stopping). With {@code resume} non-null, continues from that
     * snapshot: its trainer state, position and optimiser moments; the caller has loaded the matching
     * weights into the model.
     *
     * The snapshot's optimiser arrays are closed once loaded.
     *
     * @throws TrainingStopped when the {@link StopRequest} was made: after the step under way and its checkpoint
     */
    public TrainResult train(TrainingSnapshot resume) {
        ResumePoint point;
        if (resume == null) {
            state = newState();
            point = ResumePoint.start(args, steps);
        } else {
            point = resume.point().copy();
            point.checkResumable(args, steps);
            state = resume.state();
            state.maxSteps = steps.maxSteps();
            state.numTrainEpochs = steps.numEpochs();
            // fp16 skips the update of a step whose gradients overflowed: AdamW's count then lags the global step.
            optimizer.load(resume.optimizerState(), point.optimizerSteps != null ? point.optimizerSteps : point.globalStep);
            if (scaler != null && point.lossScale != null) {
                scaler.load(point.lossScale, point.lossScaleGoodSteps == null ? 0 : point.lossScaleGoodSteps);
            }
            // Copied into the optimiser: the snapshot's moments (a second copy of them) are freed now, not at the end.
            resume.optimizerState().values().forEach(NDArray::close);
        }
        printStartBlock();
        if (scaler != null) {
            LOG.info("fp16: float16 compute on float32 master weights, dynamic loss scale {} (LayerNorm, softmax and"
                    + " the loss in float32)", scaler.scale());
        }
        if (Boolean.TRUE.equals(args.tf32)) {
            // The operator sets the variable in the pod; libtorch reads it when it creates its cuBLAS handle.
            LOG.info("tf32: TORCH_ALLOW_TF32_CUBLAS_OVERRIDE={} (TF32 matmuls on Ampere and newer GPUs when 1)",
                    System.getenv("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"));
        }
        if (resume != null) {
            LOG.info("Continuing training from global step {} (epoch {}, batch {} of {})", point.globalStep,
                    point.epoch, point.batchInEpoch, steps.batchesPerEpoch());
        }
        for (TrainerCallback c : callbacks) {
            c.onTrainBegin(state);
        }

        long start = System.nanoTime();
        long windowStart = start;
        long rowsSeen = 0;
        long rowsSinceLog = 0;
        long stepsRun = 0;
        boolean stoppedEarly = false;
        boolean done = point.globalStep >= steps.maxSteps();
        try (StopRequest.Hold hold = stopRequest.hold();
                TrainingProgressBar bar = TrainingProgressBar.create(progressBar, steps.maxSteps(), point.globalStep);
                NDManager manager = NDManager.newBaseManager(model.device());
                BatchPrefetcher batches = new BatchPrefetcher(trainData, manager)) {
            prefetcher = batches;
            while (!done && point.epoch < steps.numEpochs()) {
                int epoch = point.epoch;
                int first = point.batchInEpoch;
                int count = steps.batchesInUpdate(steps.updateOf(first));
                StepResult step = trainingStep(manager, epoch, first, count, point.globalStep);

                point.globalStep++;
                point.batchInEpoch = first + count;
                point.trainLossSum += step.loss;
                point.lossSinceLastLog += step.loss;
                rowsSeen += step.rows;
                rowsSinceLog += step.rows;
                stepsRun++;
                state.globalStep = point.globalStep;
                state.epoch = epoch + (double) point.batchInEpoch / steps.batchesPerEpoch();
                boolean epochEnd = point.batchInEpoch == steps.batchesPerEpoch();
                if (epochEnd) {
                    point.epoch++;
                    point.batchInEpoch = 0;
                }
                boolean last = point.globalStep >= steps.maxSteps();
                bar.update(point.globalStep, state.epoch, step.loss);
                for (TrainerCallback c : callbacks) {
                    c.onStepEnd(state);
                }

                // As DefaultFlowCallback: log, then evaluate, then save; the end of training counts as an epoch end.
                if (point.globalStep % args.loggingSteps == 0) {
                    long now = System.nanoTime();
                    state.trainSamplesPerSecond = rowsSinceLog / ((now - windowStart) / 1e9);
                    windowStart = now;
                    rowsSinceLog = 0;
                    logTraining(point, step.gradNorm, bar);
                }
                boolean evaluate = ("steps".equals(args.evalStrategy) && point.globalStep % evalSteps == 0)
                        || ("epoch".equals(args.evalStrategy) && (epochEnd || last));
                if (evaluate) {
                    stoppedEarly = evaluateDuringTraining(bar);
                }
                boolean save = ("steps".equals(args.saveStrategy) && point.globalStep % args.saveSteps == 0)
                        || ("epoch".equals(args.saveStrategy) && (epochEnd || last))
                        || (last && !"no".equals(args.saveStrategy));
                Path saved = save ? save(point) : null;
                done = last || stoppedEarly;
                if (!done && stopRequest.isRequested()) {
                    // Whatever saveStrategy says: a preempted pod's retry resumes here instead of losing the steps.
                    throw new TrainingStopped(point.globalStep, saved != null || saver == null ? saved : save(point));
                }
            }
        }

        double runtime = (System.nanoTime() - start) / 1e9;
        double trainLoss = point.globalStep > 0 ? point.trainLossSum / point.globalStep : 0.0;
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_runtime", TrainerLogFormat.round(runtime, 4));
        // Rows and steps of this process, so a resumed run reports its own speed.
        metrics.put("train_samples_per_second", TrainerLogFormat.round(rowsSeen / runtime, 3));
        metrics.put("train_steps_per_second", TrainerLogFormat.round(stepsRun / runtime, 3));
        metrics.put("train_loss", trainLoss);
        metrics.put("epoch", TrainerLogFormat.round(state.epoch, 2));
        addToHistory(metrics);
        out.println(TrainerLogFormat.dict(metrics));
        out.flush();
        for (TrainerCallback c : callbacks) {
            c.onTrainEnd(state);
        }
        return new TrainResult(state.globalStep, trainLoss, metrics, stoppedEarly);
    }

    /** Evaluates the model as it is now; metrics as in the log (eval_loss, eval_accuracy, ...). */
    public Map<String, Double> evaluate() {
        if (evalData == null) {
            throw new IllegalStateException("no evaluation split was given");
        }
        return evaluator.evaluate(evalData);
    }

    private record StepResult(double loss, double gradNorm, int rows) {}

    /**
     * One optimiser update over micro-batches [first, first + count) of the epoch: each micro-batch's
     * summed loss is divided by the rows of the whole window, so the accumulated gradient is that of the
     * big-batch mean. Everything per step lives in a sub-manager closed at the end.
     *
     * <p>The device is read once per step ({@link StepReadout}): the loss summed on the device over the
     * micro-batches and the gradient norm, together; nothing else in the step waits on the device.
     *
     * <p>fp16 (as torch.amp with GradScaler): the forward pass runs in float16 on casts of the float32
     * weights, the loss is multiplied by the loss scale before backward, and the gradients (float32, on the
     * masters) are unscaled inside the optimiser step: the norm of the scaled gradients divided by the scale
     * is the true norm, and the optimiser multiplies by clip / scale. A step whose gradients overflowed is
     * skipped and the scale halved ({@link GradScaler}).
     */
    private StepResult trainingStep(NDManager manager, int epoch, int first, int count, long globalStep) {
        try (NDManager stepManager = manager.newSubManager()) {
            List<Batch> window = prefetcher.take(epoch, first, count, stepManager);
            prefetchNext(epoch, first + count);
            int rows = 0;
            long items = 0;
            for (Batch batch : window) {
                rows += batch.size();
                items += objective.items(batch);
            }
            // One array per step, alive until the step's manager closes: never div(int), which DJL frees (on GC)
            // while autograd still needs it for backward.
            NDArray itemsArray = stepManager.create((float) items);
            NDArray lossScale = scaler == null ? null : stepManager.create((float) scaler.scale());
            NDArray lossSum = null;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                for (int i = 0; i < count; i++) {
                    Batch batch = window.get(i);
                    // The micro-batch's activations follow its inputs into a manager freed right after its
                    // backward pass, so accumulation holds one micro-batch of activations, not all of them.
                    try (NDManager micro = stepManager.newSubManager()) {
                        micro.tempAttachAll(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), batch.labels());
                        Engine.getInstance().setRandomSeed(dropoutSeed(args.seed, globalStep, i));
                        NDArray logits = scaler == null
                                ? model.forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), true)
                                : model.forwardFloat16(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask(), true);
                        NDArray scaled = objective.lossSum(logits, batch.labels()).div(itemsArray);
                        collector.backward(lossScale == null ? scaled : scaled.mul(lossScale));
                        NDArray detached = scaled.stopGradient();
                        detached.attach(stepManager);
                        lossSum = lossSum == null ? detached : lossSum.add(detached);
                    }
                }
            }
            Map<String, NDArray> gradients = gradients(stepManager);
            double maxNorm = args.maxGradNorm == null ? 0.0 : args.maxGradNorm;
            // fp16 needs the norm even without clipping: it is how an overflow shows.
            boolean norm = maxNorm > 0 || scaler != null;
            StepReadout readout = StepReadout.read(lossSum, norm ? GradientClipper.normOnDevice(gradients.values()) : null);
            long step = globalStep + 1;
            boolean fp16 = scaler != null;
            if (!Double.isFinite(readout.loss())) {
                // Not an overflow of the scaled gradients (the loss itself is float32): skipping would not help.
                throw TrainingDivergedException.of("loss", readout.loss(), step, args.learningRate, args.maxGradNorm, fp16);
            }
            double inverseScale = 1.0;
            double gradNorm = readout.gradNorm();
            if (fp16) {
                inverseScale = scaler.inverseScale();
                gradNorm *= inverseScale;
                if (!scaler.update(gradNorm)) {
                    LOG.info("Gradient overflow at step {}: skipping the update, reducing the loss scale to {}", step,
                            scaler.scale());
                    if (scaler.scale() < GradScaler.MIN_SCALE) {
                        throw TrainingDivergedException.of("grad_norm", gradNorm, step, args.learningRate, args.maxGradNorm,
                                true);
                    }
                    clear(gradients.values());
                    return new StepResult(readout.loss(), Double.NaN, rows);
                }
            } else if (!Double.isFinite(gradNorm) && maxNorm > 0) {
                throw TrainingDivergedException.of("grad_norm", gradNorm, step, args.learningRate, args.maxGradNorm, false);
            }
            optimizer.step(gradients, schedule.at(globalStep), GradientClipper.scale(gradNorm, maxNorm) * inverseScale);
            return new StepResult(readout.loss(), maxNorm > 0 ? gradNorm : Double.NaN, rows);
        }
    }

    /**
     * Sets gradients that hold inf or NaN to zero. The next step's GradientCollector zeroes gradients by
     * subtracting them from themselves, which leaves inf - inf = NaN: without this, one overflow would poison
     * every later step.
     */
    private static void clear(java.util.Collection<NDArray> gradients) {
        for (NDArray gradient : gradients) {
            gradient.set(new NDIndex("..."), 0);
        }
    }

    /** Asks for the window after [.., nextFirst) while this step computes: the next update's batches. */
    private void prefetchNext(int epoch, int nextFirst) {
        if (nextFirst >= steps.batchesPerEpoch()) {
            epoch++;
            nextFirst = 0;
        }
        if (epoch < steps.numEpochs()) {
            prefetcher.prefetch(epoch, nextFirst, steps.batchesInUpdate(steps.updateOf(nextFirst)));
        }
    }

    /** The parameters' gradient arrays, attached to the step's manager so the wrappers are freed with it. */
    private Map<String, NDArray> gradients(NDManager stepManager) {
        Map<String, NDArray> gradients = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            if (!e.getValue().hasGradient()) {
                continue;
            }
            NDArray gradient = e.getValue().getGradient();
            if (gradient != null) {
                gradient.attach(stepManager);
                gradients.put(e.getKey(), gradient);
            }
        }
        return gradients;
    }

    /** The torch seed for dropout in micro-batch {@code microStep} of update {@code globalStep + 1} (SplitMix64). */
    static int dropoutSeed(long seed, long globalStep, int microStep) {
        long z = seed * 0x9E3779B97F4A7C15L + globalStep * 0xBF58476D1CE4E5B9L + (microStep + 1L) * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) (z & 0x7fffffffL);
    }

    private TrainerState newState() {
        TrainerState s = new TrainerState();
        s.maxSteps = steps.maxSteps();
        s.numTrainEpochs = steps.numEpochs();
        s.trainBatchSize = args.perDeviceTrainBatchSize;
        s.loggingSteps = args.loggingSteps;
        s.evalSteps = evalSteps;
        s.saveSteps = args.saveSteps == null ? 0 : args.saveSteps;
        return s;
    }

    private void printStartBlock() {
        long trainable = 0;
        for (NDArray p : parameters.values()) {
            trainable += p.getShape().size();
        }
        int batch = args.perDeviceTrainBatchSize;
        out.println("***** Running training *****");
        out.println("  Num examples = " + TrainerLogFormat.count(trainData.rowCount()));
        out.println("  Num Epochs = " + TrainerLogFormat.count(steps.numEpochs()));
        out.println("  Instantaneous batch size per device = " + TrainerLogFormat.count(batch));
        out.println("  Total train batch size (w. parallel, distributed & accumulation) = "
                + TrainerLogFormat.count((long) batch * steps.accumulation()));
        out.println("  Gradient Accumulation steps = " + steps.accumulation());
        out.println("  Total optimization steps = " + TrainerLogFormat.count(steps.maxSteps()));
        out.println("  Number of trainable parameters = " + TrainerLogFormat.count(trainable));
        out.flush();
    }

    private void logTraining(ResumePoint point, double gradNorm, TrainingProgressBar bar) {
        double loss = point.lossSinceLastLog / (point.globalStep - point.lastLoggedStep);
        point.lossSinceLastLog = 0;
        point.lastLoggedStep = point.globalStep;
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", TrainerLogFormat.round(loss, 4));
        if (!Double.isNaN(gradNorm)) {
            logs.put("grad_norm", gradNorm);
        }
        logs.put("learning_rate", schedule.at(point.globalStep));
        logs.put("epoch", TrainerLogFormat.round(state.epoch, 2));
        addToHistory(logs);
        bar.println(out, TrainerLogFormat.dict(logs));
        for (TrainerCallback c : callbacks) {
            c.onLog(state, logs);
        }
    }

    /** Returns true when early stopping ends training. */
    private boolean evaluateDuringTraining(TrainingProgressBar bar) {
        Map<String, Double> metrics = new LinkedHashMap<>(evaluator.evaluate(evalData));
        metrics.put("epoch", TrainerLogFormat.round(state.epoch, 2));
        addToHistory(metrics);
        bar.println(out, TrainerLogFormat.dict(metrics));
        for (TrainerCallback c : callbacks) {
            c.onEvaluate(state, metrics);
        }
        boolean stop = bestMetric.update(state, metrics);
        if (stop) {
            LOG.info("Early stopping at step {}: {} did not improve for {} evaluations", state.globalStep,
                    bestMetric.metricKey(), state.earlyStoppingPatienceCounter);
        }
        return stop;
    }

    private Path save(ResumePoint point) {
        if (saver == null) {
            return null;
        }
        Path folder;
        try {
            ResumePoint saved = point.copy();
            saved.optimizerSteps = optimizer.stepCount();
            if (scaler != null) {
                saved.lossScale = scaler.scale();
                saved.lossScaleGoodSteps = scaler.goodSteps();
            }
            folder = saver.save(new TrainingSnapshot(state, saved, optimizer.state()));
        } catch (IOException e) {
            throw new UncheckedIOException("saving the checkpoint at step " + state.globalStep + " failed", e);
        }
        if (Objects.equals(state.bestGlobalStep, state.globalStep)) {
            state.bestModelCheckpoint = folder.toString();
        }
        for (TrainerCallback c : callbacks) {
            c.onSave(state, folder);
        }
        return folder;
    }

    private void addToHistory(Map<String, Double> entry) {
        Map<String, Object> withStep = new LinkedHashMap<>(entry);
        withStep.put("step", state.globalStep);
        state.logHistory.add(withStep);
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
