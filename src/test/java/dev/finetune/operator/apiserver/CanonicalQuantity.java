package dev.finetune.operator.apiserver;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A quantity in the form kube-apiserver stores it (k8s.io/apimachinery resource.Quantity.String()):
 * parsed to a number, rounded up to nano precision, and printed in the format of its suffix with the
 * largest unit that keeps the mantissa whole: 2048Mi is stored as 2Gi, 0.5 as 500m, 1024Gi as 1Ti,
 * 1000 as 1k. A binary quantity below 1024 or not a whole number of units is printed in decimal SI.
 */
public final class CanonicalQuantity {
    private static final Pattern QUANTITY = Pattern.compile("^([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$");
    private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private CanonicalQuantity() {}

    /** @throws IllegalArgumentException for text that is no quantity (the API server answers 422 then) */
    public static String of(String text) {
        Matcher m = QUANTITY.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        }
        String suffix = m.group(2) == null ? "" : m.group(2);
        BigDecimal value = new BigDecimal(m.group(1));
        boolean binary = suffix.endsWith("i");
        boolean exponent = suffix.startsWith("e") || suffix.startsWith("E");
        if (binary) {
            value = value.multiply(new BigDecimal(BigInteger.valueOf(1024).pow(indexOf(BINARY, suffix))));
        } else if (exponent) {
            value = value.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
        } else {
            value = value.scaleByPowerOfTen(decimalExponent(suffix));
        }
        // Precision below 10^-9 is rounded up (resource.Quantity keeps nano precision).
        if (value.scale() > 9) {
            value = value.setScale(9, RoundingMode.CEILING);
        }
        if (value.signum() == 0) {
            return "0";
        }
        if (binary && value.abs().compareTo(BigDecimal.valueOf(1024)) >= 0 && isWhole(value)) {
            BigInteger bytes = value.toBigIntegerExact();
            int unit = 0;
            BigInteger k = BigInteger.valueOf(1024);
            while (unit < BINARY.length - 1 && bytes.mod(k).signum() == 0) {
                bytes = bytes.divide(k);
                unit++;
            }
            return bytes + BINARY[unit];
        }
        for (int e = 18; e >= -9; e -= 3) {
            BigDecimal mantissa = value.scaleByPowerOfTen(-e);
            if (isWhole(mantissa)) {
                String number = mantissa.toBigIntegerExact().toString();
                return exponent ? number + (e == 0 ? "" : "e" + e) : number + decimalSuffix(e);
            }
        }
        throw new IllegalStateException("unreachable: " + text);
    }

    private static boolean isWhole(BigDecimal value) {
        return value.stripTrailingZeros().scale() <= 0;
    }

    private static int indexOf(String[] units, String unit) {
        for (int i = 0; i < units.length; i++) {
            if (units[i].equals(unit)) {
                return i;
            }
        }
        throw new IllegalArgumentException(unit);
    }

    private static int decimalExponent(String suffix) {
        return switch (suffix) {
            case "n" -> -9;
            case "u" -> -6;
            case "m" -> -3;
            case "" -> 0;
            case "k" -> 3;
            case "M" -> 6;
            case "G" -> 9;
            case "T" -> 12;
            case "P" -> 15;
            case "E" -> 18;
            default -> throw new IllegalArgumentException(suffix);
        };
    }

    private static String decimalSuffix(int exponent) {
        return switch (exponent) {
            case -9 -> "n";
            case -6 -> "u";
            case -3 -> "m";
            case 0 -> "";
            case 3 -> "k";
            case 6 -> "M";
            case 9 -> "G";
            case 12 -> "T";
            case 15 -> "P";
            case 18 -> "E";
            default -> throw new IllegalArgumentException(String.valueOf(exponent));
        };
    }
}
