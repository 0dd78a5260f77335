package dev.finetune.api;

/** Lifecycle of a FineTuneJob, as shown in the PHASE column. */
public enum Phase {
    Pending, Running, Succeeded, Failed, Suspended
}
