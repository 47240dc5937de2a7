enum ErasurePlaceholder {}
