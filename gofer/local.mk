# burrow-gofer
