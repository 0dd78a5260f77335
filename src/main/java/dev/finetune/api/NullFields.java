package dev.finetune.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Refuses {@code field: null} in a manifest where the field has a default: Jackson would store the null over the
 * default and the trainer would meet it mid-run. A null where the default is unset ({@code saveTotalLimit: null})
 * means what leaving the line out means, and is kept.
 */
final class NullFields {
    private NullFields() {}

    static void check(Path file, JsonNode manifest) throws ManifestReader.ManifestException {
        JsonNode spec = manifest.get("spec");
        if (spec != null && spec.isNull()) {
            throw new ManifestReader.ManifestException(file + ": spec is null; give the job's spec");
        }
        if (spec != null && spec.isObject()) {
            walk(file, spec, FineTuneJobSpec.class, "spec");
        }
    }

    private static void walk(Path file, JsonNode node, Class<?> type, String path) throws ManifestReader.ManifestException {
        Object defaults;
        try {
            defaults = type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            return; // not one of our spec classes: nothing to compare with
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Field field = field(type, entry.getKey());
            if (field == null) {
                continue; // an unknown field: the mapper names it
            }
            String where = path + "." + entry.getKey();
            Object defaultValue;
            try {
                defaultValue = field.get(defaults);
            } catch (IllegalAccessException e) {
                continue;
            }
            if (entry.getValue().isNull() && defaultValue != null) {
                throw new ManifestReader.ManifestException(file + ": " + where + " is null; remove the line to keep the default ("
                        + shown(defaultValue) + ") or give a value");
            }
            if (entry.getValue().isObject() && field.getType().getPackageName().equals(NullFields.class.getPackageName())) {
                walk(file, entry.getValue(), field.getType(), where);
            }
        }
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field field = type.getField(name);
            return Modifier.isStatic(field.getModifiers()) ? null : field;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static String shown(Object value) {
        String text = String.valueOf(value);
        return value.getClass().getPackageName().equals(NullFields.class.getPackageName()) ? "its defaults" : text.isEmpty() ? "empty" : text;
    }
}
