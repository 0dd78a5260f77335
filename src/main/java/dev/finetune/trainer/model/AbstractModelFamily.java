package dev.finetune.trainer.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * A {@link ModelFamily} made of its classes' factories, as transformers' Auto mappings name a config class and its
 * model classes: each method casts the config to the family's config class and calls the factory.
 *
 * @param <C> the family's config class
 */
public abstract class AbstractModelFamily<C extends EncoderConfig> implements ModelFamily {
    /** A head class's from_pretrained of {@code dir} into a model of {@code config}. */
    @FunctionalInterface
    public interface Loader<C, M> {
        M fromPretrained(Path dir, C config, NDManager manager, long seed) throws IOException;
    }

    /** A head class's randomly initialised model. */
    @FunctionalInterface
    public interface Initializer<C, M> {
        M fromConfig(C config, NDManager manager, long seed);
    }

    private final String modelType;
    private final Class<C> configClass;
    private final BiFunction<ObjectNode, String, C> configParser;
    private final Loader<C, ? extends SequenceClassificationModel> sequenceClassifierLoader;
    private final Initializer<C, ? extends SequenceClassificationModel> sequenceClassifierInitializer;
    private final Loader<C, ? extends TokenClassificationModel> tokenClassifierLoader;
    private final Initializer<C, ? extends TokenClassificationModel> tokenClassifierInitializer;

    /** @param configParser the config class's {@code fromJson(json, source)} */
    protected AbstractModelFamily(String modelType, Class<C> configClass,
            BiFunction<ObjectNode, String, C> configParser,
            Loader<C, ? extends SequenceClassificationModel> sequenceClassifierLoader,
            Initializer<C, ? extends SequenceClassificationModel> sequenceClassifierInitializer,
            Loader<C, ? extends TokenClassificationModel> tokenClassifierLoader,
            Initializer<C, ? extends TokenClassificationModel> tokenClassifierInitializer) {
        this.modelType = modelType;
        this.configClass = configClass;
        this.configParser = configParser;
        this.sequenceClassifierLoader = sequenceClassifierLoader;
        this.sequenceClassifierInitializer = sequenceClassifierInitializer;
        this.tokenClassifierLoader = tokenClassifierLoader;
        this.tokenClassifierInitializer = tokenClassifierInitializer;
    }

    @Override
    public final String modelType() {
        return modelType;
    }

    @Override
    public final EncoderConfig parseConfig(ObjectNode json, String source) {
        return configParser.apply(json, source);
    }

    @Override
    public final SequenceClassificationModel fromPretrained(Path dir, EncoderConfig config, NDManager manager,
            long seed) throws IOException {
        return sequenceClassifierLoader.fromPretrained(dir, configClass.cast(config), manager, seed);
    }

    @Override
    public final SequenceClassificationModel fromConfig(EncoderConfig config, NDManager manager, long seed) {
        return sequenceClassifierInitializer.fromConfig(configClass.cast(config), manager, seed);
    }

    @Override
    public final TokenClassificationModel tokenClassifierFromPretrained(Path dir, EncoderConfig config,
            NDManager manager, long seed) throws IOException {
        return tokenClassifierLoader.fromPretrained(dir, configClass.cast(config), manager, seed);
    }

    @Override
    public final TokenClassificationModel tokenClassifierFromConfig(EncoderConfig config, NDManager manager,
            long seed) {
        return tokenClassifierInitializer.fromConfig(configClass.cast(config), manager, seed);
    }
}
