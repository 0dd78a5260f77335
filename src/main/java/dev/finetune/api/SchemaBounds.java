package dev.finetune.api;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The CRD's own limits ({@code @Min}, {@code @Max}, {@code @Pattern}, {@code @Size}, {@code @Required}) checked on a
 * spec from the same annotations the CRD is generated from, so that `run`, the pod and an API server without the
 * schema refuse exactly what `kubectl apply` refuses. Each problem names the field: {@code spec.training.warmupSteps
 * must be >= 0 (got -5)}.
 */
public final class SchemaBounds {
    private SchemaBounds() {}

    public static List<String> check(FineTuneJobSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec != null) {
            walk(spec, "spec", problems);
        }
        return problems;
    }

    private static void walk(Object object, String path, List<String> problems) {
        for (Field field : object.getClass().getFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            Object value;
            try {
                value = field.get(object);
            } catch (IllegalAccessException e) {
                continue;
            }
            String where = path + "." + field.getName();
            if (value == null) {
                if (field.isAnnotationPresent(Required.class)) {
                    problems.add(where + " is required");
                }
                continue;
            }
            checkField(field, value, where, problems);
            if (value.getClass().getPackageName().equals(SchemaBounds.class.getPackageName())) {
                walk(value, where, problems);
            }
        }
    }

    private static void checkField(Field field, Object value, String where, List<String> problems) {
        Min min = field.getAnnotation(Min.class);
        Max max = field.getAnnotation(Max.class);
        if (value instanceof Number number && (min != null || max != null)) {
            double x = number.doubleValue();
            if (Double.isNaN(x)) {
                problems.add(where + " must be a number (got NaN)");
                return;
            }
            if (min != null && (min.inclusive() ? x < min.value() : x <= min.value())) {
                problems.add(where + " must be " + (min.inclusive() ? ">= " : "> ") + plain(min.value()) + " (got " + number + ")");
            }
            if (max != null && (max.inclusive() ? x > max.value() : x >= max.value())) {
                problems.add(where + " must be " + (max.inclusive() ? "<= " : "< ") + plain(max.value()) + " (got " + number + ")");
            }
        }
        Pattern pattern = field.getAnnotation(Pattern.class);
        if (pattern != null && value instanceof String text && !java.util.regex.Pattern.compile(pattern.value()).matcher(text).find()) {
            problems.add(where + " must match " + pattern.value() + " (got '" + text + "')");
        }
        Size size = field.getAnnotation(Size.class);
        if (size != null) {
            long n = value instanceof Collection<?> c ? c.size() : value instanceof Map<?, ?> m ? m.size()
                    : value instanceof String s ? s.length() : -1;
            if (n >= 0 && (n < size.min() || n > size.max())) {
                problems.add(where + " must have " + size.min() + (size.max() == size.min() ? "" : " to " + size.max())
                        + " entries (got " + n + ")");
            }
        }
    }

    private static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
