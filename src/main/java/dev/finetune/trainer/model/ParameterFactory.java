package dev.finetune.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Creates the model's parameters in checkpoint order under their Hugging Face names: taken from a pretrained
 * checkpoint where it has them (shapes checked), else initialised as transformers' {@code _init_weights}
 * (normal(0, initializer_range) weights, zero biases, LayerNorm 1 and 0, the padding row of an embedding zero).
 * Every parameter requires a gradient, so that the arrays handed out are the live, trainable ones.
 */
public final class ParameterFactory {
    private final NDManager manager;
    private final float initializerRange;
    private final PretrainedWeights pretrained;
    private final LinkedHashMap<String, NDArray> parameters = new LinkedHashMap<>();
    private final List<String> newlyInitialized = new ArrayList<>();

    /** {@code pretrained} is null for a randomly initialised model. */
    ParameterFactory(NDManager manager, float initializerRange, PretrainedWeights pretrained) {
        this.manager = manager;
        this.initializerRange = initializerRange;
        this.pretrained = pretrained;
    }

    /** A torch Linear's weight, stored (out, in). */
    public NDArray linearWeight(String name, long out, long in) {
        return create(name, new Shape(out, in), Init.NORMAL, -1);
    }

    public NDArray bias(String name, long size) {
        return create(name, new Shape(size), Init.ZEROS, -1);
    }

    /** An embedding table; {@code paddingIdx} (or -1) names the row transformers zeroes. */
    public NDArray embedding(String name, long rows, long dim, int paddingIdx) {
        return create(name, new Shape(rows, dim), Init.NORMAL, paddingIdx);
    }

    public NDArray layerNormWeight(String name, long size) {
        return create(name, new Shape(size), Init.ONES, -1);
    }

    public NDArray layerNormBias(String name, long size) {
        return create(name, new Shape(size), Init.ZEROS, -1);
    }

    /**
     * Builds a model whose arrays live in a new sub-manager of {@code parent} (the model closes it; it is closed here
     * if building fails), with the engine seeded first so that new weights are reproducible.
     */
    /**
     * A scalar made once with the model and kept as long as it: forward passes use it instead of a
     * {@code mul(float)} scalar, which would be made (a host-to-device copy) per layer per pass and which DJL
     * frees while autograd may still need it.
     */
    public NDArray constant(float value) {
        return manager.create(value);
    }

    public static <M> M build(NDManager parent, long seed, float initializerRange, PretrainedWeights pretrained,
            BiFunction<NDManager, ParameterFactory, M> constructor) {
        NDManager manager = parent.newSubManager();
        try {
            Engine.getInstance().setRandomSeed((int) seed);
            return constructor.apply(manager, new ParameterFactory(manager, initializerRange, pretrained));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Logs and returns what loading matched; empty for a randomly initialised model. */
    public WeightLoadReport loadReport(String modelClass) {
        if (pretrained == null) {
            return new WeightLoadReport(List.of(), List.of());
        }
        return WeightLoadReport.logged(modelClass, pretrained.dir(), newlyInitialized, pretrained.unused());
    }

    public LinkedHashMap<String, NDArray> parameters() {
        return parameters;
    }

    private enum Init { NORMAL, ZEROS, ONES }

    private NDArray create(String name, Shape shape, Init init, int paddingIdx) {
        NDArray array = loaded(name).orElse(null);
        if (array != null && !array.getShape().equals(shape)) {
            Shape found = array.getShape();
            array.close();
            throw new IllegalArgumentException("size mismatch for " + name + ": the checkpoint " + pretrained.file()
                    + " has shape " + found + ", the model expects " + shape);
        }
        if (array == null) {
            array = initialized(shape, init, paddingIdx);
            newlyInitialized.add(name);
        }
        array.setName(name);
        array.setRequiresGradient(true);
        parameters.put(name, array);
        return array;
    }

    private Optional<NDArray> loaded(String name) {
        if (pretrained == null) {
            return Optional.empty();
        }
        try {
            return pretrained.take(name, manager);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + name + " from " + pretrained.file(), e);
        }
    }

    /** Draws from the engine's generator, so that Engine.setRandomSeed makes it reproducible. */
    private NDArray initialized(Shape shape, Init init, int paddingIdx) {
        switch (init) {
            case ZEROS:
                return manager.zeros(shape, DataType.FLOAT32);
            case ONES:
                return manager.ones(shape, DataType.FLOAT32);
            case NORMAL:
                NDArray array = manager.randomNormal(0f, initializerRange, shape, DataType.FLOAT32);
                if (paddingIdx >= 0) {
                    array.set(new NDIndex(paddingIdx), 0f);
                }
                return array;
            default:
                throw new AssertionError(init);
        }
    }
}
