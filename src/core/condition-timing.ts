/** A condition as a status computation drafts it, before timing and generation are stamped. */
export interface ConditionDraft<TType extends string = string> {
  readonly type: TType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

export interface StampedCondition<TType extends string = string> extends ConditionDraft<TType> {
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

// metav1.Condition allows 32768 characters; a pool or volume of many nodes with long messages
// could pass it.
const MAX_MESSAGE_LENGTH = 4096;

/**
 * Stamps `draft` with the generation the pass worked from, keeps the previous condition's
 * lastTransitionTime while its status stays the same (kstatus and `kubectl wait` read it), and
 * bounds the message.
 */
export function stampCondition<TType extends string>(
  draft: ConditionDraft<TType>,
  context: {
    readonly previous:
      | readonly {
          readonly type: string;
          readonly status: string;
          readonly lastTransitionTime: string;
        }[]
      | undefined;
    readonly generation: number;
    readonly now: string;
  },
): StampedCondition<TType> {
  const before = context.previous?.find((condition) => condition.type === draft.type);
  const message =
    draft.message.length > MAX_MESSAGE_LENGTH
      ? `${draft.message.slice(0, MAX_MESSAGE_LENGTH - 3)}...`
      : draft.message;
  return {
    ...draft,
    message,
    observedGeneration: context.generation,
    lastTransitionTime:
      before && before.status === draft.status ? before.lastTransitionTime : context.now,
  };
}
